// The reader half of zip.js only: its writer and codec workers stay out of the engine bundle.
import type { FileEntry, ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';
import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { describeCause } from '../../io/read-bounds.ts';
import { readExact } from '../../io/read-exact.ts';
import { inflateEntry, openZipReader, storedEntryData, type StoredMember } from '../../io/zip-byte-source-reader.ts';

/** A memory image has a few members per 64 MiB segment; a central directory claiming more is garbage. */
const MAX_MEMBERS = 1_000_000;
const STORED = 0;
/** zip.js would start codec workers from blob: URLs; metadata members are small enough to inflate in place. */

/**
 * An AFF4 volume's ZIP (ZIP64 included), read in place: the central directory up front, members on demand.
 * Member names are URL-encoded URNs (`aff4%3A%2F%2F<uuid>/00000000`) or names relative to the volume URN.
 */
export class ZipVolume {
  private constructor(
    readonly source: ByteSource,
    private readonly zip: ZipReader<ByteSource>,
    private readonly members: ReadonlyMap<string, FileEntry>,
    /** The volume's own URN (`container.description`), '' when the volume does not say. */
    readonly urn: string,
  ) {}

  /** Reads the central directory; a file without one → TRUNCATED (the probe saw a ZIP start), bad records → CORRUPT. */
  static async open(source: ByteSource): Promise<ZipVolume> {
    const zip = await openZipReader(source);
    const members = new Map<string, FileEntry>();
    try {
      let count = 0;
      for await (const entry of zip.getEntriesGenerator()) {
        if (++count > MAX_MEMBERS) throw new MemscopeError('CORRUPT', `ZIP lists more than ${MAX_MEMBERS} members`, source.name);
        if (!entry.directory) members.set(decodeMemberName(entry.filename), entry as FileEntry);
      }
    } catch (e) {
      await zip.close().catch(() => undefined);
      if (isMemscopeError(e)) throw e;
      const cause = describeCause(e);
      const missingDirectory = /central directory|end of/i.test(cause);
      throw new MemscopeError(
        missingDirectory ? 'TRUNCATED' : 'CORRUPT',
        missingDirectory
          ? `the AFF4 volume's ZIP central directory is missing (${cause}): the file is truncated or damaged`
          : `the AFF4 volume is not a readable ZIP (${cause})`,
        source.name,
      );
    }
    const volume = new ZipVolume(source, zip, members, '');
    const description = members.get('container.description');
    const urn = description ? new TextDecoder().decode(await volume.readWhole(description, 4096, 'container.description')).trim() : '';
    return new ZipVolume(source, zip, members, urn);
  }

  /** The member holding the object `urn` (or named `urn` relative to the volume). */
  member(urn: string): FileEntry | undefined {
    const direct = this.members.get(urn);
    if (direct || !this.urn || !urn.startsWith(`${this.urn}/`)) return direct;
    return this.members.get(urn.slice(this.urn.length + 1));
  }

  /** Where a stored member's bytes are, for reading slices of it directly (image stream segments). */
  async storedMember(entry: FileEntry): Promise<StoredMember> {
    const what = `ZIP member ${entry.filename}`;
    if (entry.compressionMethod !== STORED) {
      throw new MemscopeError(
        'UNSUPPORTED',
        `${what} is compressed with ZIP method ${entry.compressionMethod}; AFF4 segments are stored`,
        this.source.name,
      );
    }
    return storedEntryData(this.source, entry);
  }

  /** A whole (small) member, inflated; more than `maxBytes` → CORRUPT, since no metadata member is that large. */
  async readWhole(entry: FileEntry, maxBytes: number, what: string): Promise<Uint8Array> {
    const tooLarge = () => new MemscopeError('CORRUPT', `${what} is larger than ${maxBytes} bytes`, this.source.name);
    if (entry.compressionMethod === STORED) {
      const { dataOffset, size } = await this.storedMember(entry);
      return readExact(this.source, dataOffset, size, what);
    }
    return inflateEntry(entry, maxBytes, {
      tooLarge,
      corrupt: (cause) => new MemscopeError('CORRUPT', `${what} cannot be inflated (${cause})`, this.source.name),
    });
  }

  async close(): Promise<void> {
    await this.zip.close().catch(() => undefined);
  }
}

/** `aff4%3A%2F%2Fuuid/00000000` → `aff4://uuid/00000000`; a malformed escape keeps the raw name. */
function decodeMemberName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
