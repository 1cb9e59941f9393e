import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MemscopeError } from '../errors.ts';
import { loadIsf } from './isf-table.ts';
import { MAX_ISF_TEXT_BYTES } from './symbol-file-text.ts';
import type { SymbolStore } from './symbol-store.ts';
import { parsePdbKey, symbolKey, type SymbolTable } from './symbol-table.ts';

/** Plain JSON first (the user may have edited it), as Volatility 3 does. */
const EXTENSIONS = ['.json', '.json.xz', '.json.gz'];

/**
 * A folder laid out like Volatility 3's symbol path (Node only): `DIR/windows/<pdb>/<GUID>-<AGE>.json.xz`,
 * or `DIR/<pdb>/<GUID>-<AGE>.json.xz` when DIR is the `windows` folder itself. Names match case-insensitively.
 */
export class DirectorySymbolStore implements SymbolStore {
  constructor(readonly dir: string) {}

  async get(key: string): Promise<SymbolTable | undefined> {
    const path = await this.find(key);
    if (!path) return undefined;
    if ((await stat(path)).size > MAX_ISF_TEXT_BYTES) {
      throw new MemscopeError('SYMBOLS_INVALID', 'file is too large to be a symbol table', path);
    }
    const table = await loadIsf(await readFile(path), path);
    const actual = table.identity && symbolKey(table.identity);
    if (actual?.toLowerCase() !== key.toLowerCase()) {
      throw new MemscopeError('SYMBOLS_INVALID', `file is named for ${key} but its metadata says ${actual ?? 'nothing'}`, path);
    }
    return table;
  }

  describe(): string {
    return `symbol directory ${this.dir}`;
  }

  /** Path of the ISF file for a PDB key, or undefined. */
  private async find(key: string): Promise<string | undefined> {
    const pdb = parsePdbKey(key);
    if (!pdb) return undefined;
    const windowsDir = await entryIn(this.dir, 'windows');
    for (const parent of windowsDir ? [windowsDir, this.dir] : [this.dir]) {
      const pdbDir = await entryIn(parent, pdb.pdbName);
      for (const ext of EXTENSIONS) {
        const file = pdbDir && (await entryIn(pdbDir, `${pdb.guid}-${pdb.age}${ext}`));
        if (file) return file;
      }
    }
    return undefined;
  }
}

/** `parent/name` matched case-insensitively; undefined when either does not exist or parent is not a folder. */
async function entryIn(parent: string, name: string): Promise<string | undefined> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const found = names.find((n) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : join(parent, found);
}
