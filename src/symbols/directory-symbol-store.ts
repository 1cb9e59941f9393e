import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MemscopeError } from '../errors.ts';
import { NodeFileSource } from '../io/node-file-source.ts';
import { loadIsf } from './isf-table.ts';
import { MAX_ISF_TEXT_BYTES } from './symbol-file-text.ts';
import { checkIsfKey, type SymbolStore } from './symbol-store.ts';
import { parsePdbKey, type SymbolTable } from './symbol-table.ts';
import { ZipSymbolPack } from './zip-symbol-pack.ts';

/** Plain JSON first (the user may have edited it), as Volatility 3 does. */
const EXTENSIONS = ['.json', '.json.xz', '.json.gz'];

/**
 * A folder laid out like Volatility 3's symbol path (Node only): `DIR/windows/<pdb>/<GUID>-<AGE>.json.xz`,
 * or `DIR/<pdb>/<GUID>-<AGE>.json.xz` when DIR is the `windows` folder itself. Names match case-insensitively.
 *
 * Symbol packs: Volatility 3 reads every `*.zip` below a symbols folder in place (its symbol cache indexes each
 * ISF inside by content; the documented layout is `symbols/windows.zip` as downloaded, entries
 * `windows/<pdb>/<GUID>-<AGE>.json.xz`), after the loose files. Here the `*.zip` files directly in DIR and in
 * DIR/windows are consulted, only for a key no loose file has, opened on that first miss and kept open; the entry
 * is found by its name and its metadata checked on load.
 */
export class DirectorySymbolStore implements SymbolStore {
  private readonly packs = new Map<string, Promise<ZipSymbolPack>>();

  constructor(readonly dir: string) {}

  async get(key: string): Promise<SymbolTable | undefined> {
    const path = await this.find(key);
    if (path) return loadFile(path, key);
    if (!parsePdbKey(key)) return undefined;
    for (const zip of await this.zipPaths()) {
      const table = await (await this.pack(zip)).get(key);
      if (table) return table;
    }
    return undefined;
  }

  describe(): string {
    return `symbol directory ${this.dir}`;
  }

  async close(): Promise<void> {
    const packs = [...this.packs.values()];
    this.packs.clear();
    for (const pack of await Promise.allSettled(packs)) if (pack.status === 'fulfilled') await pack.value.close();
  }

  /** Path of the ISF file for a PDB key, or undefined. */
  private async find(key: string): Promise<string | undefined> {
    const pdb = parsePdbKey(key);
    if (!pdb) return undefined;
    for (const parent of await this.windowsThenDir()) {
      const pdbDir = await entryIn(parent, pdb.pdbName);
      for (const ext of EXTENSIONS) {
        const file = pdbDir && (await entryIn(pdbDir, `${pdb.guid}-${pdb.age}${ext}`));
        if (file) return file;
      }
    }
    return undefined;
  }

  private async windowsThenDir(): Promise<string[]> {
    const windowsDir = await entryIn(this.dir, 'windows');
    return windowsDir ? [windowsDir, this.dir] : [this.dir];
  }

  /** `*.zip` files in DIR/windows, then in DIR, each folder in name order. */
  private async zipPaths(): Promise<string[]> {
    const paths: string[] = [];
    for (const parent of await this.windowsThenDir()) {
      const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
      const zips = entries.filter((e) => !e.isDirectory() && e.name.toLowerCase().endsWith('.zip')).map((e) => e.name);
      paths.push(...zips.sort().map((name) => join(parent, name)));
    }
    return paths;
  }

  private pack(path: string): Promise<ZipSymbolPack> {
    let pack = this.packs.get(path);
    if (!pack) {
      pack = NodeFileSource.open(path, path).then((source) => ZipSymbolPack.open(source));
      this.packs.set(path, pack);
    }
    return pack;
  }
}

async function loadFile(path: string, key: string): Promise<SymbolTable> {
  if ((await stat(path)).size > MAX_ISF_TEXT_BYTES) {
    throw new MemscopeError('SYMBOLS_INVALID', 'file is too large to be a symbol table', path);
  }
  const table = await loadIsf(await readFile(path), path);
  checkIsfKey(table, key, path);
  return table;
}

/** `parent/name` matched case-insensitively; undefined when either does not exist or parent is not a folder. */
async function entryIn(parent: string, name: string): Promise<string | undefined> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const found = names.find((n) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : join(parent, found);
}
