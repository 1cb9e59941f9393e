import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { identifyIsf, loadSymbolFile, type IdentifiedIsf, type SymbolFile, type SymbolStore } from '../symbols/symbol-store.ts';
import { isMsf } from '../symbols/pdb/msf.ts';
import type { SymbolTable } from '../symbols/symbol-table.ts';

/**
 * The file exactly as the user gave it: a `.json.xz` pack file stays compressed (~10× smaller than its JSON;
 * the 19041 kernel ISF is 0.6 MB instead of 6.3 MB), at the price of an xz decode (~0.1 s) on each load.
 */
interface StoredIsf {
  readonly fileName: string;
  readonly bytes: ArrayBuffer;
}

/** Browser cache of ISF files in IndexedDB (database `memscope-symbols`, object store `isf`), keyed by `symbolKey`. */
export class IdbSymbolStore implements SymbolStore {
  private readonly db: UseStore;

  constructor(dbName = 'memscope-symbols') {
    this.db = createStore(dbName, 'isf');
  }

  async get(key: string): Promise<SymbolTable | undefined> {
    const stored = await get<StoredIsf>(key, this.db);
    return stored && loadSymbolFile(new Uint8Array(stored.bytes), stored.fileName, `${stored.fileName} (IndexedDB cache)`);
  }

  async putFile(fileName: string, bytes: Uint8Array): Promise<IdentifiedIsf> {
    const found = await identifyIsf(bytes, fileName);
    // A copy of just these bytes: storing a view would store its whole underlying buffer.
    const record: StoredIsf = { fileName, bytes: new Uint8Array(bytes).buffer };
    await set(found.key, record, this.db);
    return found;
  }

  async keys(): Promise<string[]> {
    return (await keys(this.db)).filter((k): k is string => typeof k === 'string');
  }

  async file(key: string): Promise<SymbolFile | undefined> {
    const stored = await get<StoredIsf>(key, this.db);
    return stored && { name: stored.fileName, bytes: new Uint8Array(stored.bytes) };
  }

  /** What is kept: each key with its file's name and size. */
  async entries(): Promise<{ key: string; fileName: string; bytes: number; pdb: boolean }[]> {
    const found = [];
    for (const key of await this.keys()) {
      const stored = await get<StoredIsf>(key, this.db);
      if (stored) found.push({ key, fileName: stored.fileName, bytes: stored.bytes.byteLength, pdb: isMsf(new Uint8Array(stored.bytes, 0, 64)) });
    }
    return found;
  }

  async delete(key: string): Promise<void> {
    await del(key, this.db);
  }

  describe(): string {
    return "the browser's symbol cache";
  }
}
