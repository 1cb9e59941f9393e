import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MemscopeError } from '../errors.ts';
import { loadIsf } from '../symbols/isf-table.ts';
import { isMsf } from '../symbols/pdb/msf.ts';
import { MAX_ISF_TEXT_BYTES, symbolFileText } from '../symbols/symbol-file-text.ts';
import { checkIsfKey, loadSymbolFile, type SymbolStore } from '../symbols/symbol-store.ts';
import { parsePdbKey, pdbKey, symbolKey, type SymbolTable } from '../symbols/symbol-table.ts';
import { ZipSymbolPack } from '../symbols/zip-symbol-pack.ts';
import type { IsfDigestCache } from './isf-digest-cache.ts';
import { NodeFileSource } from './node-file-source.ts';

/** Plain JSON first (the user may have edited it), as Volatility 3 does; then the PDB itself, converted on load. */
const EXTENSIONS = ['.json', '.json.xz', '.json.gz'];
const WINDOWS_EXTENSIONS = [...EXTENSIONS, '.pdb'];

/**
 * A folder laid out like Volatility 3's symbol path (Node only): `DIR/windows/<pdb>/<GUID>-<AGE>.json.xz`,
 * or `DIR/<pdb>/<GUID>-<AGE>.json.xz` when DIR is the `windows` folder itself; a PDB itself may stand in for the
 * ISF as `<GUID>-<AGE>.pdb` beside them. Names match case-insensitively.
 * Linux ISFs: any name in `DIR/linux/` (or DIR), matched by the banner inside.
 *
 * Symbol packs: Volatility 3 reads every `*.zip` below a symbols folder in place (its symbol cache indexes each
 * ISF inside by content; the documented layout is `symbols/windows.zip` as downloaded, entries
 * `windows/<pdb>/<GUID>-<AGE>.json.xz`), after the loose files. Here the `*.zip` files directly in DIR and in
 * DIR/windows are consulted, only for a key no loose file has, opened on that first miss and kept open; the entry
 * is found by its name and its metadata checked on load.
 */
export class DirectorySymbolStore implements SymbolStore {
  private readonly packs = new Map<string, Promise<ZipSymbolPack>>();
  /** Linux ISF path → the key its banner gives ('' for files that are not Linux ISFs). */
  private readonly linuxKeys = new Map<string, string>();

  /** `digests`: Windows ISFs are read from the digest of what earlier runs used of them, where one matches. */
  constructor(
    readonly dir: string,
    private readonly digests?: IsfDigestCache,
  ) {}

  async get(key: string): Promise<SymbolTable | undefined> {
    if (key.startsWith('linux/')) return this.findLinux(key);
    const path = await this.find(key);
    if (path) return loadFile(path, key, this.digests);
    if (!parsePdbKey(key)) return undefined;
    for (const zip of await this.zipPaths()) {
      const table = await (await this.pack(zip)).get(key);
      if (table) return table;
    }
    return undefined;
  }

  /** The Windows keys of the loose files (DIR[/windows]/<pdb>/<GUID>-<AGE>.<ext>) and of the packs' entries. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for (const parent of await this.windowsThenDir()) {
      for (const pdbName of await readdir(parent).catch(() => [] as string[])) {
        for (const file of await readdir(join(parent, pdbName)).catch(() => [] as string[])) {
          const ext = WINDOWS_EXTENSIONS.find((e) => file.toLowerCase().endsWith(e));
          const key = ext && parsePdbKey(`${pdbName}/${file.slice(0, -ext.length)}`);
          if (key) keys.push(pdbKey(key.pdbName, key.guid, key.age));
        }
      }
    }
    for (const zip of await this.zipPaths()) keys.push(...(await (await this.pack(zip)).keys()));
    return keys;
  }

  describe(): string {
    return `symbol directory ${this.dir}`;
  }

  async close(): Promise<void> {
    await this.digests?.close();
    const packs = [...this.packs.values()];
    this.packs.clear();
    for (const pack of await Promise.allSettled(packs)) if (pack.status === 'fulfilled') await pack.value.close();
  }

  /**
   * Linux ISFs are named freely (Volatility 3 identifies them by their linux_banner): every ISF in DIR/linux
   * (or DIR itself) is read once and remembered by the banner it describes.
   */
  private async findLinux(key: string): Promise<SymbolTable | undefined> {
    const linuxDir = (await entryIn(this.dir, 'linux')) ?? this.dir;
    const names = (await readdir(linuxDir).catch(() => [] as string[])).filter((n) => EXTENSIONS.some((ext) => n.toLowerCase().endsWith(ext))).sort();
    for (const name of names) {
      const path = join(linuxDir, name);
      if (this.linuxKeys.has(path) && this.linuxKeys.get(path) !== key.toLowerCase()) continue;
      if ((await stat(path)).size > MAX_ISF_TEXT_BYTES) continue;
      const table = await loadIsf(await readFile(path), path).catch(() => undefined);
      const found = table?.identity?.kind === 'linux' ? symbolKey(table.identity).toLowerCase() : '';
      this.linuxKeys.set(path, found);
      if (found === key.toLowerCase()) return table;
    }
    return undefined;
  }

  /** Path of the ISF file for a PDB key, or undefined. */
  private async find(key: string): Promise<string | undefined> {
    const pdb = parsePdbKey(key);
    if (!pdb) return undefined;
    for (const parent of await this.windowsThenDir()) {
      const pdbDir = await entryIn(parent, pdb.pdbName);
      for (const ext of WINDOWS_EXTENSIONS) {
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

async function loadFile(path: string, key: string, digests: IsfDigestCache | undefined): Promise<SymbolTable> {
  const stamp = await stat(path);
  if (stamp.size > MAX_ISF_TEXT_BYTES) {
    throw new MemscopeError('SYMBOLS_INVALID', 'file is too large to be a symbol table', path);
  }
  const digested = await digests?.table(path, stamp, key);
  if (digested) return digested;
  const bytes = await readFile(path);
  const table =
    digests && !isMsf(bytes)
      ? await digests.parse(path, stamp, key, await symbolFileText(bytes, path))
      : await loadSymbolFile(bytes, path, path, parsePdbKey(key)?.pdbName);
  checkIsfKey(table, key, path);
  return table;
}

/** `parent/name` matched case-insensitively; undefined when either does not exist or parent is not a folder. */
async function entryIn(parent: string, name: string): Promise<string | undefined> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const found = names.find((n) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : join(parent, found);
}
