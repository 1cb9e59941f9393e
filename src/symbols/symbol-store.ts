import { MemscopeError } from '../errors.ts';
import { loadIsf } from './isf-table.ts';
import { isMsf } from './pdb/msf.ts';
import { loadPdb } from './pdb/pdb-table.ts';
import { symbolKey, type SymbolTable } from './symbol-table.ts';

/** Where symbol tables come from, keyed by `symbolKey` (`ntkrnlmp.pdb/GUID-AGE`, `linux/<banner>`). */
export interface SymbolStore {
  get(key: string): Promise<SymbolTable | undefined>;
  /** Stores an ISF file under the key its own metadata names (so a file cannot be filed under the wrong PDB). */
  putFile?(fileName: string, bytes: Uint8Array): Promise<IdentifiedIsf>;
  keys?(): Promise<string[]>;
  /** The ISF file behind `key` as it was stored, to hand the table to another worker. */
  file?(key: string): Promise<SymbolFile | undefined>;
  /** For messages: "symbol directory /x", "the browser's symbol cache"; empty when there is nothing to search. */
  describe(): string;
  /** Releases open files (symbol packs kept open between lookups). */
  close?(): Promise<void>;
}

export interface IdentifiedIsf {
  readonly key: string;
  readonly table: SymbolTable;
}

/** An ISF file (`.json`, `.json.xz`, ...) as the user gave it. */
export interface SymbolFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * A symbol file recognised by content: a Microsoft PDB (MSF 7.00) is read as one, anything else as an ISF.
 * `database` keys a PDB whose file is not named after it (`<GUID>-<AGE>.pdb` in a symbol folder).
 */
export async function loadSymbolFile(bytes: Uint8Array, fileName: string, origin = fileName, database?: string): Promise<SymbolTable> {
  return isMsf(bytes) ? loadPdb(bytes, fileName, { origin, database }) : loadIsf(bytes, fileName, origin);
}

/** Parses an ISF file or a PDB and reads which PDB or kernel it describes; a table that does not say is rejected. */
export async function identifyIsf(bytes: Uint8Array, fileName: string): Promise<IdentifiedIsf> {
  const table = await loadSymbolFile(bytes, fileName);
  if (!table.identity) {
    throw new MemscopeError(
      'SYMBOLS_INVALID',
      'the symbol table does not say which PDB (metadata.windows.pdb) or Linux kernel (linux_banner) it describes',
      fileName,
    );
  }
  return { key: symbolKey(table.identity), table };
}

/** A table found under `key` must say it is that key's table: a misnamed file would describe another build. */
export function checkIsfKey(table: SymbolTable, key: string, fileName: string): void {
  const actual = table.identity && symbolKey(table.identity);
  if (actual?.toLowerCase() !== key.toLowerCase()) {
    throw new MemscopeError('SYMBOLS_INVALID', `file is named for ${key} but its metadata says ${actual ?? 'nothing'}`, fileName);
  }
}

/** Tables held in memory: symbols dropped into the page this session, and tests. */
export class MemorySymbolStore implements SymbolStore {
  private readonly tables = new Map<string, SymbolTable>();
  private readonly files = new Map<string, SymbolFile>();

  constructor(private readonly label = 'symbols loaded in this session') {}

  async get(key: string): Promise<SymbolTable | undefined> {
    return this.tables.get(key);
  }

  async putFile(fileName: string, bytes: Uint8Array): Promise<IdentifiedIsf> {
    const found = await identifyIsf(bytes, fileName);
    this.tables.set(found.key, found.table);
    this.files.set(found.key, { name: fileName, bytes });
    return found;
  }

  async keys(): Promise<string[]> {
    return [...this.tables.keys()];
  }

  async file(key: string): Promise<SymbolFile | undefined> {
    return this.files.get(key);
  }

  describe(): string {
    return this.label;
  }
}

/** Asks each store in order; the first that has the key wins. */
export class ChainSymbolStore implements SymbolStore {
  private readonly stores: readonly SymbolStore[];

  constructor(...stores: SymbolStore[]) {
    this.stores = stores;
  }

  async get(key: string): Promise<SymbolTable | undefined> {
    for (const store of this.stores) {
      const table = await store.get(key);
      if (table) return table;
    }
    return undefined;
  }

  /** Every store's keys; stores that cannot list theirs add none. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for (const store of this.stores) keys.push(...((await store.keys?.()) ?? []));
    return keys;
  }

  async file(key: string): Promise<SymbolFile | undefined> {
    for (const store of this.stores) {
      const file = await store.file?.(key);
      if (file) return file;
    }
    return undefined;
  }

  describe(): string {
    return this.stores
      .map((s) => s.describe())
      .filter((d) => d)
      .join(', ');
  }

  async close(): Promise<void> {
    for (const store of this.stores) await store.close?.();
  }
}
