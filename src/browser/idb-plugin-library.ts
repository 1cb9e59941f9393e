import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { PluginModule } from '../engine/plugin-sandbox-api.ts';

/** A third-party plugin module the user added, as kept between visits. */
export interface StoredPluginModule extends PluginModule {
  /** The plugins it declares. */
  readonly names: readonly string[];
  /** When it was added (ISO 8601). */
  readonly added: string;
}

/**
 * The third-party plugin modules the user added, in IndexedDB (database `memscope-plugins`, object store `modules`),
 * keyed by file name: adding a file of the same name replaces it. Only the page uses it; the plugin sandbox has no
 * IndexedDB of memscope's origin.
 */
export class IdbPluginLibrary {
  private readonly store: UseStore;

  constructor(dbName = 'memscope-plugins') {
    this.store = createStore(dbName, 'modules');
  }

  /** Every stored module, oldest first. */
  async list(): Promise<StoredPluginModule[]> {
    const all = (await entries<string, StoredPluginModule>(this.store)).map(([, module]) => module);
    return all.sort((a, b) => a.added.localeCompare(b.added));
  }

  async put(module: StoredPluginModule): Promise<void> {
    await set(module.fileName, module, this.store);
  }

  async remove(fileName: string): Promise<void> {
    await del(fileName, this.store);
  }
}
