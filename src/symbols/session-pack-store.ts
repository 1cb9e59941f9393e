import { checkIsfKey, type IdentifiedIsf, type SymbolStore } from './symbol-store.ts';
import type { SymbolTable } from './symbol-table.ts';
import type { ZipSymbolPack } from './zip-symbol-pack.ts';

/** Stores one ISF file (its bytes as packed) and returns the table it holds, e.g. `IdbSymbolStore.putFile`. */
export type KeepIsf = (fileName: string, bytes: Uint8Array) => Promise<IdentifiedIsf>;

/**
 * Symbol packs (ZIPs) given during this session, kept as they are (a browser `File` is read in place). A table
 * found in one is passed to `keep` (that one entry's bytes only), so later sessions find it without the pack.
 */
export class SessionPackStore implements SymbolStore {
  private readonly packs: ZipSymbolPack[] = [];

  constructor(private readonly keep: KeepIsf) {}

  add(pack: ZipSymbolPack): void {
    this.packs.push(pack);
  }

  async get(key: string): Promise<SymbolTable | undefined> {
    for (const pack of this.packs) {
      const table = await this.take(pack, key);
      if (table) return table;
    }
    return undefined;
  }

  /** The table for `key` from `pack`, kept; undefined when the pack does not have it. */
  async take(pack: ZipSymbolPack, key: string): Promise<SymbolTable | undefined> {
    const file = await pack.isfFile(key);
    if (!file) return undefined;
    const { table } = await this.keep(file.fileName, file.bytes);
    checkIsfKey(table, key, file.fileName);
    return table;
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for (const pack of this.packs) keys.push(...(await pack.keys()));
    return keys;
  }

  describe(): string {
    return this.packs.map((p) => p.describe()).join(', ');
  }

  async close(): Promise<void> {
    const packs = this.packs.splice(0);
    for (const pack of packs) await pack.close();
  }
}
