import type { SymbolFile, SymbolStore } from '../symbols/symbol-store.ts';
import type { KeyValueCache } from './kv-cache.ts';

/**
 * What an open session hands a second session of the same image (the plugin sandbox's) so that it repeats no
 * discovery: the discovery-cache entries the first one read or wrote, and the symbol files it loaded.
 */
export interface SessionSeed {
  readonly cacheEntries: readonly (readonly [string, unknown])[];
  readonly symbolFiles: readonly SymbolFile[];
}

/**
 * Wraps the discovery cache and the symbol store a session is opened with and notes what it uses of them, so that
 * the seed holds this image's entries and tables only.
 */
export class SeedRecorder {
  private readonly entries = new Map<string, unknown>();
  private readonly tableKeys = new Set<string>();
  readonly cache: KeyValueCache;
  readonly symbols: SymbolStore;

  constructor(
    cache: KeyValueCache,
    private readonly source: SymbolStore,
  ) {
    this.cache = {
      get: async (key) => {
        const value = await cache.get(key);
        if (value !== undefined) this.entries.set(key, value);
        return value;
      },
      set: async (key, value) => {
        this.entries.set(key, value);
        await cache.set(key, value);
      },
    };
    this.symbols = {
      get: async (key) => {
        const table = await source.get(key);
        if (table) this.tableKeys.add(key);
        return table;
      },
      describe: () => source.describe(),
    };
  }

  /** The entries and tables used so far (symbol files from the store's `file`). */
  async seed(): Promise<SessionSeed> {
    const symbolFiles: SymbolFile[] = [];
    for (const key of this.tableKeys) {
      const file = await this.source.file?.(key);
      if (file) symbolFiles.push(file);
    }
    return { cacheEntries: [...this.entries], symbolFiles };
  }
}
