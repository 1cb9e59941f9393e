import type {
  EngineApi,
  EngineFailure,
  ImageSummary,
  JobProgress,
  MemoryRead,
  MemorySpace,
  Outcome,
  ImagePluginInfo,
  KeptSymbols,
  RunSummary,
} from '../../src/engine/engine-api.ts';
import type { SessionSeed } from '../../src/engine/session-seed.ts';
import type { Column, CountedWarning, PluginOptions, PluginRow } from '../../src/plugins/plugin.ts';
import { HOSTILE_NAME } from './fixtures.ts';

/** What a plugin run does in the fake: stream these rows, then end as told. */
export interface FakeRun {
  readonly rows: readonly PluginRow[];
  readonly batch?: number;
  /** Ends with this failure instead of success. */
  readonly failure?: EngineFailure;
  /** Waits for cancel() after the rows (a long job). */
  readonly hold?: boolean;
  readonly warnings?: readonly CountedWarning[];
}

/**
 * The fake's memory, the same in both spaces: the byte at address a is a & 0xff, except `planted` text at its
 * address; pages at and above `unmappedFrom` are not mapped.
 */
export const fakeMemory = { planted: { address: 0x2010, text: HOSTILE_NAME }, unmappedFrom: 0x10000 };

/** An EngineApi stand-in with scripted answers; records what the page asked for. */
export class FakeEngine implements EngineApi {
  readonly opened: { fileName: string; size: number }[] = [];
  readonly runs: { plugin: string; options: PluginOptions }[] = [];
  readonly symbolFiles: string[] = [];
  readonly cancelled: string[] = [];
  readonly memoryReads: { space: MemorySpace; address: string; length: number }[] = [];
  /** What keptSymbols() answers; forgetSymbols(key) removes from it. */
  kept: KeptSymbols[] = [];
  openOutcome: Outcome<ImageSummary>;
  symbolOutcome: Outcome<string[]> | undefined;
  private readonly waiting = new Map<string, () => void>();

  constructor(
    summary: ImageSummary,
    /** What plugins() answers; a test may replace it (symbols added meet requirements). */
    public pluginList: ImagePluginInfo[],
    readonly scripts: Record<string, FakeRun>,
  ) {
    this.openOutcome = { ok: true, value: summary };
  }

  async open(file: Blob, fileName: string): Promise<Outcome<ImageSummary>> {
    this.opened.push({ fileName, size: file.size });
    return this.openOutcome;
  }

  /** What hashImage() answers, after reporting half and all of the file. */
  hashes = { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', md5: 'd41d8cd98f00b204e9800998ecf8427e' };
  /** How often hashImage() was called. */
  hashCalls = 0;
  /** While set, hashImage() stops at half the file until cancelHashing(). */
  holdHashing = false;
  private hashCancel: (() => void) | undefined;

  async hashImage(onProgress: (done: number, total: number) => void): Promise<Outcome<{ sha256: string; md5: string }>> {
    this.hashCalls++;
    await onProgress(50, 100);
    if (this.holdHashing) {
      await new Promise<void>((resolve) => (this.hashCancel = resolve));
      return { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } };
    }
    await onProgress(100, 100);
    return { ok: true, value: this.hashes };
  }

  cancelHashing(): void {
    this.hashCancel?.();
    this.hashCancel = undefined;
  }

  async keptSymbols(): Promise<Outcome<KeptSymbols[]>> {
    return { ok: true, value: [...this.kept] };
  }

  async forgetSymbols(key: string): Promise<Outcome<void>> {
    this.kept = this.kept.filter((k) => k.key !== key);
    return { ok: true, value: undefined };
  }

  readonly isfRequests: string[] = [];

  async isfFile(key: string): Promise<Outcome<{ fileName: string; text: string }>> {
    this.isfRequests.push(key);
    return { ok: true, value: { fileName: `${key.split('/')[1]}.json`, text: JSON.stringify({ fake: key }) } };
  }

  async addSymbolFiles(files: readonly { name: string; blob: Blob }[]): Promise<Outcome<string[]>> {
    this.symbolFiles.push(...files.map((f) => f.name));
    return this.symbolOutcome ?? { ok: true, value: files.map((f) => f.name) };
  }

  async plugins(): Promise<ImagePluginInfo[]> {
    return this.pluginList;
  }

  /** Plugin columns, with pslist's `physical` option switching Offset(V) to Offset(P) as the real plugin does. */
  async columns(plugin: string, options: PluginOptions): Promise<Column[]> {
    const columns = this.pluginList.find((p) => p.name === plugin)?.columns ?? [];
    return columns.map((c) => (options['physical'] && c.name === 'Offset(V)' ? { ...c, name: 'Offset(P)', address: 'physical' } : c));
  }

  async run(
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
  ): Promise<Outcome<RunSummary>> {
    this.runs.push({ plugin, options });
    const script = this.scripts[plugin];
    if (!script) return { ok: false, error: { code: 'BAD_REQUEST', message: `no plugin ${plugin}` } };
    const batch = script.batch ?? 500;
    for (let i = 0; i < script.rows.length; i += batch) {
      onProgress({ done: i, total: script.rows.length, stage: 'Listing' });
      onRows(script.rows.slice(i, i + batch));
      await new Promise((r) => setTimeout(r, 0));
    }
    if (script.hold) {
      onProgress({ done: 50, total: 200, stage: 'Scanning' });
      // A Cancel that came while the rows were going out is not lost.
      if (!this.cancelled.includes(jobId)) await new Promise<void>((resolve) => this.waiting.set(jobId, resolve));
      return { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } };
    }
    if (script.failure) return { ok: false, error: script.failure };
    return { ok: true, value: { rowCount: script.rows.length, warnings: script.warnings ?? [], elapsedMs: 1234 } };
  }

  cancel(jobId: string): void {
    this.cancelled.push(jobId);
    this.waiting.get(jobId)?.();
  }

  async readMemory(space: MemorySpace, address: string, length: number): Promise<Outcome<MemoryRead>> {
    this.memoryReads.push({ space, address, length });
    const start = Number(address);
    const { planted, unmappedFrom } = fakeMemory;
    const bytes = Uint8Array.from({ length }, (_, i) => {
      const at = start + i;
      const p = at - planted.address;
      return at >= unmappedFrom ? 0 : p >= 0 && p < planted.text.length ? planted.text.charCodeAt(p) : at & 0xff;
    });
    const unmapped: number[] = [];
    for (let i = 0; i < length; i = (Math.floor((start + i) / 4096) + 1) * 4096 - start) if (start + i >= unmappedFrom) unmapped.push(i);
    return { ok: true, value: { address, bytes, unmapped } };
  }

  async sessionSeed(): Promise<Outcome<SessionSeed>> {
    return { ok: true, value: { cacheEntries: [], symbolFiles: [] } };
  }
}
