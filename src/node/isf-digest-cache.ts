import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUILD_ID } from '../engine/build-id.ts';
import { MemscopeError } from '../errors.ts';
import { checkedDigest, DigestedIsf, emptyDigest } from '../symbols/isf-digest.ts';
import { isfTable, parseIsfJson } from '../symbols/isf-table.ts';
import type { SymbolTable } from '../symbols/symbol-table.ts';
import { MEMSCOPE_VERSION } from '../version.ts';

/** Which ISF file a digest was made from: its path, size and modification time. */
export interface IsfFileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

interface StoredDigest {
  readonly version: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly key: string;
  readonly digest: unknown;
}

interface OpenDigest {
  readonly file: string;
  readonly stored: Omit<StoredDigest, 'digest'>;
  readonly isf: DigestedIsf;
  readonly isNew: boolean;
}

/**
 * Node: the ISF entries a run used, kept per symbol file in a cache directory (~/.cache/memscope/symbols-digest), so
 * the next run on an image needing that file parses a few KiB instead of decompressing and parsing megabytes.
 * Beside each digest, the file's whole text decompressed (`<id>.full.json`), read only when a run asks for a name
 * the digest does not know; the digest then grows. A digest is used only for the same file (path, size, mtime)
 * and the same memscope build; anything else, or an unreadable digest, is a miss. Best effort, like the discovery
 * cache: a directory that cannot be written costs speed, and `onWriteFailure` hears of it once.
 */
export class IsfDigestCache {
  private readonly open = new Map<string, OpenDigest>();
  private writeFailed = false;

  constructor(
    private readonly dir: string,
    private readonly onWriteFailure: (message: string) => void = () => undefined,
    private readonly version = `${MEMSCOPE_VERSION}+${BUILD_ID ?? 'source'}`,
  ) {}

  /** The table of the ISF at `path` from its digest, or undefined when none matches the file as it is now. */
  async table(path: string, stamp: IsfFileStamp, key: string): Promise<SymbolTable | undefined> {
    const file = this.fileFor(path);
    const stored = await readFile(`${file}.json`, 'utf8')
      .then((text) => JSON.parse(text) as StoredDigest)
      .catch(() => undefined);
    const expected = this.stamp(path, stamp, key);
    if (!stored || Object.entries(expected).some(([k, v]) => stored[k as keyof StoredDigest] !== v)) return undefined;
    const digest = checkedDigest(stored.digest);
    const full = `${file}.full.json`;
    if (!digest || !existsSync(full)) return undefined;
    const isf = new DigestedIsf(digest, () => this.readFull(file, path));
    try {
      const table = isfTable(isf.json, path);
      this.open.set(file, { file, stored: expected, isf, isNew: false });
      return table;
    } catch {
      return undefined;
    }
  }

  /** The table of an ISF's text read whole, recording what is used for the digest `close` writes. */
  async parse(path: string, stamp: IsfFileStamp, key: string, text: string): Promise<SymbolTable> {
    const json = parseIsfJson(text, path);
    const isf = new DigestedIsf(emptyDigest(json), () => json);
    const table = isfTable(isf.json, path);
    const file = this.fileFor(path);
    if (await this.write(`${file}.full.json`, text)) this.open.set(file, { file, stored: this.stamp(path, stamp, key), isf, isNew: true });
    return table;
  }

  /** Writes the digests that runs added to since they were read. */
  async close(): Promise<void> {
    const open = [...this.open.values()];
    this.open.clear();
    for (const { file, stored, isf, isNew } of open) {
      if (isNew || isf.grown) await this.write(`${file}.json`, JSON.stringify({ ...stored, digest: isf.digest() }));
    }
  }

  /** The decompressed file behind a digest; a damaged one is removed, with the entry, for the next run to rebuild. */
  private readFull(file: string, path: string): unknown {
    try {
      return parseIsfJson(readFileSync(`${file}.full.json`, 'utf8'), path);
    } catch (e) {
      for (const f of [`${file}.json`, `${file}.full.json`]) rmSync(f, { force: true });
      throw new MemscopeError(
        'SYMBOLS_INVALID',
        `the cached copy in ${this.dir} was unreadable (${(e as Error).message}) and is removed: run again`,
        path,
      );
    }
  }

  private stamp(path: string, stamp: IsfFileStamp, key: string): Omit<StoredDigest, 'digest'> {
    return { version: this.version, path: resolve(path), size: stamp.size, mtimeMs: stamp.mtimeMs, key };
  }

  private fileFor(path: string): string {
    return join(this.dir, createHash('sha256').update(resolve(path)).digest('hex').slice(0, 32));
  }

  private async write(path: string, text: string): Promise<boolean> {
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, path);
      return true;
    } catch (e) {
      if (!this.writeFailed)
        this.onWriteFailure(`the cache at ${this.dir} cannot be written (${(e as Error).message}): symbol files are read whole on every run`);
      this.writeFailed = true;
      return false;
    }
  }
}
