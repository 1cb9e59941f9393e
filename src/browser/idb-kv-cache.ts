import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { KeyValueCache } from '../engine/kv-cache.ts';

/** Browser: discovery results per image in IndexedDB, so reopening the same file repeats no discovery. */
export class IdbKeyValueCache implements KeyValueCache {
  private readonly store: UseStore;

  constructor(dbName = 'memscope-discovery') {
    this.store = createStore(dbName, 'entries');
  }

  async get(key: string): Promise<unknown> {
    return get(key, this.store);
  }

  async set(key: string, value: unknown): Promise<void> {
    await set(key, value, this.store);
  }
}
