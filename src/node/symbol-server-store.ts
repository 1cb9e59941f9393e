import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isMemscopeError } from '../errors.ts';
import { parsePdbKey, type PdbIdentity, type SymbolTable } from '../symbols/symbol-table.ts';
import type { SymbolStore } from '../symbols/symbol-store.ts';
import { DirectorySymbolStore } from './directory-symbol-store.ts';

/** A kernel PDB is some tens of MiB; more than this is not a PDB we want. */
const MAX_PDB_BYTES = 512 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

/**
 * PDBs fetched from a symbol server the user named (`--symbol-server URL`: Microsoft's layout,
 * URL/<pdb>/<GUID><AGE in hex>/<pdb>), each once, kept in `dir` as a symbol folder (windows/<pdb>/<GUID>-<AGE>.pdb)
 * and read from there. Only PDB keys are fetched, and only when nothing earlier in the chain had the table: a
 * failure (offline, 404, a file for another build) is said through `say` and leaves the table missing.
 */
export class SymbolServerStore implements SymbolStore {
  private readonly local: DirectorySymbolStore;
  private readonly fetched = new Map<string, Promise<void>>();

  constructor(
    private readonly server: URL,
    private readonly dir: string,
    private readonly say: (line: string) => void,
  ) {
    this.local = new DirectorySymbolStore(dir);
  }

  async get(key: string): Promise<SymbolTable | undefined> {
    const pdb = parsePdbKey(key);
    if (!pdb) return undefined;
    const kept = await this.kept(key);
    if (kept) return kept;
    let download = this.fetched.get(key);
    if (!download) {
      download = this.download(pdb);
      this.fetched.set(key, download);
    }
    await download;
    return this.kept(key);
  }

  describe(): string {
    return `symbol server ${this.server.href} (downloads kept in ${this.dir})`;
  }

  /** The table downloaded before; a file that is not this key's table is deleted and said. */
  private async kept(key: string): Promise<SymbolTable | undefined> {
    try {
      return await this.local.get(key);
    } catch (e) {
      if (!isMemscopeError(e)) throw e;
      this.say(`symbol server: the file downloaded for ${key} is not its symbol table (${e.message}); deleted`);
      await rm(this.path(parsePdbKey(key)!), { force: true });
      return undefined;
    }
  }

  private path(pdb: PdbIdentity): string {
    return join(this.dir, 'windows', pdb.pdbName, `${pdb.guid}-${pdb.age}.pdb`);
  }

  private async download(pdb: PdbIdentity): Promise<void> {
    const base = this.server.href.endsWith('/') ? this.server : new URL(`${this.server.href}/`);
    const url = new URL(`${pdb.pdbName}/${pdb.guid}${pdb.age.toString(16).toUpperCase()}/${pdb.pdbName}`, base);
    this.say(`downloading ${pdb.pdbName} ${pdb.guid} age ${pdb.age} from ${url.origin} (--symbol-server)`);
    let bytes: Uint8Array;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (response.status !== 200) {
        const hint =
          response.status === 404
            ? ' (the server does not have it; Microsoft serves some PDBs only compressed, as .pd_, which memscope does not read)'
            : '';
        this.say(`symbol server: HTTP ${response.status} for ${url.href}${hint}`);
        return;
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > MAX_PDB_BYTES) {
        this.say(`symbol server: ${url.href} is ${declared} bytes, more than a PDB memscope reads (${MAX_PDB_BYTES})`);
        return;
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      this.say(`symbol server ${url.origin} could not be reached (${reason(e)}); memscope works without it: give the symbols with -s DIR`);
      return;
    }
    if (bytes.length > MAX_PDB_BYTES) return this.say(`symbol server: ${url.href} is larger than a PDB memscope reads`);
    const path = this.path(pdb);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.part`, bytes);
    await rename(`${path}.part`, path);
  }
}

function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
