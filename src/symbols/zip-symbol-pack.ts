// The reader half of zip.js only: its writer and codec workers stay out of the engine bundle.
import type { FileEntry, ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';
import { isMemscopeError, MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { describeCause } from '../io/read-bounds.ts';
import { inflateEntry, openZipReader } from '../io/zip-byte-source-reader.ts';
import { loadIsf } from './isf-table.ts';
import { MAX_ISF_TEXT_BYTES } from './symbol-file-text.ts';
import { checkIsfKey, type SymbolStore } from './symbol-store.ts';
import { parsePdbKey, pdbKey, type SymbolTable } from './symbol-table.ts';

export { isZipSignature } from '../io/zip-byte-source-reader.ts';

/**
 * `…/<pdb>/<GUID>-<AGE>.json[.xz|.gz]` with nothing, `windows/` or `…/windows/` before it (Volatility's
 * windows.zip has `windows/ntkrnlmp.pdb/…`; a zipped symbols folder has `symbols/windows/…`). Any case.
 */
const ISF_ENTRY = /^(?:(?:.*\/)?windows\/)?([^/]+)\/([0-9a-f]{32})-(\d{1,10})(\.json(?:\.xz|\.gz)?)$/i;
/** Plain JSON first (a user may have edited it), as Volatility 3 does. */
const EXTENSION_RANK: Readonly<Record<string, number>> = { '.json': 0, '.json.xz': 1, '.json.gz': 2 };
/** Volatility's windows.zip holds a few thousand entries; a central directory claiming more is garbage. */
const MAX_ENTRIES = 1_000_000;
/** zip.js would start codec workers from blob: URLs; one entry of a few MB inflates fast enough in place. */

export interface ZipSymbolPackOptions {
  /** Cap on one inflated entry (default: the cap on an ISF's JSON text). */
  readonly maxEntryBytes?: number;
}

/** One ISF file taken out of a pack, still in its own compression (`.json.xz` stays xz). */
export interface PackedIsf {
  /** `windows.zip!windows/ntkrnlmp.pdb/<GUID>-<AGE>.json.xz`: names the pack and the entry in messages. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

interface IndexedEntry {
  readonly entry: FileEntry;
  readonly rank: number;
}

/**
 * A ZIP of ISF files read in place (Volatility 3's windows.zip, hundreds of MB): only the central directory is
 * read up front, and only the entry a key names is inflated.
 */
export class ZipSymbolPack implements SymbolStore {
  private constructor(
    private readonly source: ByteSource,
    private readonly zip: ZipReader<ByteSource>,
    private readonly index: ReadonlyMap<string, IndexedEntry>,
    private readonly maxEntryBytes: number,
  ) {}

  /** Reads the central directory; a file that is not a readable ZIP → SYMBOLS_INVALID naming it. Owns `source`. */
  static async open(source: ByteSource, options: ZipSymbolPackOptions = {}): Promise<ZipSymbolPack> {
    const zip = await openZipReader(source);
    const index = new Map<string, IndexedEntry>();
    try {
      let count = 0;
      for await (const entry of zip.getEntriesGenerator()) {
        if (++count > MAX_ENTRIES) throw new MemscopeError('SYMBOLS_INVALID', `ZIP lists more than ${MAX_ENTRIES} entries`, source.name);
        const m = entry.directory ? null : ISF_ENTRY.exec(entry.filename);
        if (!m) continue;
        const key = pdbKey(m[1]!, m[2]!, Number(m[3]));
        const rank = EXTENSION_RANK[m[4]!.toLowerCase()]!;
        const known = index.get(key);
        if (!known || rank < known.rank) index.set(key, { entry: entry as FileEntry, rank });
      }
    } catch (e) {
      await zip.close().catch(() => undefined);
      await source.close?.();
      if (isMemscopeError(e)) throw e;
      throw new MemscopeError('SYMBOLS_INVALID', `not a readable ZIP file (${describeCause(e)})`, source.name);
    }
    return new ZipSymbolPack(source, zip, index, options.maxEntryBytes ?? MAX_ISF_TEXT_BYTES);
  }

  get name(): string {
    return this.source.name;
  }

  async get(key: string): Promise<SymbolTable | undefined> {
    const file = await this.isfFile(key);
    if (!file) return undefined;
    const table = await loadIsf(file.bytes, file.fileName);
    checkIsfKey(table, key, file.fileName);
    return table;
  }

  /** The ISF entry for a `pdbKey`, inflated (undefined when the pack has none); corrupt or oversized → SYMBOLS_INVALID. */
  async isfFile(key: string): Promise<PackedIsf | undefined> {
    const pdb = parsePdbKey(key);
    const found = pdb && this.index.get(pdbKey(pdb.pdbName, pdb.guid, pdb.age));
    if (!found) return undefined;
    const fileName = `${this.name}!${found.entry.filename}`;
    return { fileName, bytes: await this.inflate(found.entry, fileName) };
  }

  /** The PDB keys the entry names claim (their metadata is only checked when loaded). */
  async keys(): Promise<string[]> {
    return [...this.index.keys()];
  }

  describe(): string {
    return `symbol pack ${this.name}`;
  }

  async close(): Promise<void> {
    await this.zip.close().catch(() => undefined);
    await this.source.close?.();
  }

  private async inflate(entry: FileEntry, fileName: string): Promise<Uint8Array> {
    const max = this.maxEntryBytes;
    const tooLarge = () =>
      new MemscopeError('SYMBOLS_INVALID', `ZIP entry inflates to more than ${max} bytes; no symbol table is that large`, fileName);
    return inflateEntry(entry, max, {
      tooLarge,
      corrupt: (cause) => new MemscopeError('SYMBOLS_INVALID', `ZIP entry is corrupt (${cause})`, fileName),
    });
  }
}
