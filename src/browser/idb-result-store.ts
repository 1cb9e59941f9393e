import { createStore, del, getMany, keys, set, type UseStore } from 'idb-keyval';
import type { Column, CountedWarning, PluginOptions, PluginRow } from '../plugins/plugin.ts';

/** A finished run as this browser keeps it for its image. */
export interface KeptRun {
  /** Unique per image: the run's tab. */
  readonly id: string;
  readonly plugin: string;
  readonly options: PluginOptions;
  readonly columns: readonly Column[];
  readonly rows: readonly PluginRow[];
  readonly warnings: readonly CountedWarning[];
  readonly status: 'done' | 'cancelled' | 'failed';
  readonly elapsedMs: number;
  /** When it started and ended (ISO 8601). */
  readonly started: string;
  readonly finished: string;
}

/** The runs kept per image, most recent last. */
export interface ResultStore {
  runs(image: string): Promise<KeptRun[]>;
  keep(image: string, run: KeptRun): Promise<void>;
  forget(image: string, id: string): Promise<void>;
}

/** At most this many runs per image: the oldest go first. */
const MAX_RUNS_PER_IMAGE = 40;

/**
 * Finished runs in IndexedDB (database `memscope-results`, store `runs`), keyed `<image fingerprint>/<run id>`, so
 * that the same image opened again (or the page reloaded) shows them without running anything. Rows keep their
 * values as they are (BigInt included: IndexedDB stores it). Nothing leaves the machine.
 */
export class IdbResultStore implements ResultStore {
  private readonly store: UseStore;

  constructor(dbName = 'memscope-results') {
    this.store = createStore(dbName, 'runs');
  }

  async runs(image: string): Promise<KeptRun[]> {
    const mine = await this.keysOf(image);
    const runs = await getMany<KeptRun>(mine, this.store);
    return runs.filter((r): r is KeptRun => r !== undefined).sort((a, b) => a.finished.localeCompare(b.finished));
  }

  async keep(image: string, run: KeptRun): Promise<void> {
    await set(`${image}/${run.id}`, run, this.store);
    const kept = await this.runs(image);
    for (const old of kept.slice(0, Math.max(0, kept.length - MAX_RUNS_PER_IMAGE))) await this.forget(image, old.id);
  }

  async forget(image: string, id: string): Promise<void> {
    await del(`${image}/${id}`, this.store);
  }

  private async keysOf(image: string): Promise<string[]> {
    const prefix = `${image}/`;
    return (await keys<string>(this.store)).filter((k) => typeof k === 'string' && k.startsWith(prefix));
  }
}
