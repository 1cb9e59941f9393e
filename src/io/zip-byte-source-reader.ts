import type { CreateReadableOptions, FileEntry, Reader, ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';
import { isMemscopeError, MemscopeError } from '../errors.ts';
import { hex } from './hex.ts';
import { readExact } from './read-exact.ts';
import { describeCause } from './read-bounds.ts';
import type { ByteSource } from './byte-source.ts';

/** Bytes per read while zip.js inflates an entry. */
const READ_CHUNK = 256 * 1024;

/**
 * zip.js's random-access `Reader` over any ByteSource (a `File` in the browser, a file handle in Node), so a
 * ZIP is read in place: only the central directory and the entries asked for. zip.js calls only these
 * members; its `Reader` base class is not exported without the ZIP writer.
 */
export function byteSourceReader(source: ByteSource): Reader<ByteSource> {
  const reader: Pick<Reader<ByteSource>, 'size' | 'readUint8Array' | 'createReadable'> = {
    size: source.size,
    readUint8Array: (offset, length) => source.read(offset, length),
    createReadable: (options) => rangeStream(source, options),
  };
  return reader as Reader<ByteSource>;
}

/** Bytes `offset .. offset + size` of `source`, read chunk by chunk as the inflater pulls them. */
function rangeStream(source: ByteSource, options: CreateReadableOptions = {}): ReadableStream<Uint8Array> {
  const { offset = 0, size = source.size - offset } = options;
  const end = Math.min(source.size, offset + size);
  let at = offset;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = at < end ? await source.read(at, Math.min(READ_CHUNK, end - at)) : new Uint8Array(0);
      at += chunk.length;
      if (chunk.length > 0) controller.enqueue(chunk);
      if (chunk.length === 0 || at >= end) controller.close();
    },
  });
}

/** A local file header or an empty archive's end record: how every ZIP starts. */
export function isZipSignature(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** zip.js options for reading on the calling thread (memscope runs its own workers). */
export const IN_PLACE = { useWebWorkers: false } as const;

/**
 * zip.js's reader over `source`, in place, names taken as they are (`tolerant`): zip.js itself is loaded on first use,
 * so the command line does not compile it for a run that opens no ZIP.
 */
export async function openZipReader(source: ByteSource): Promise<ZipReader<ByteSource>> {
  const { ZipReader } = await import('@zip.js/zip.js/lib/zip-core-reader.js');
  return new ZipReader(byteSourceReader(source), { ...IN_PLACE, filenameValidation: 'tolerant' });
}

/**
 * Inflates one entry with its CRC checked, counting the bytes as they come: more than `maxBytes` (the declared
 * size may lie) → `tooLarge()`, any other failure → `corrupt(cause)`.
 */
export async function inflateEntry(
  entry: FileEntry,
  maxBytes: number,
  errors: { readonly tooLarge: () => Error; readonly corrupt: (cause: string) => Error },
): Promise<Uint8Array> {
  if (entry.uncompressedSize > maxBytes) throw errors.tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overflow = false;
  const sink = new WritableStream<Uint8Array>({
    write(chunk) {
      total += chunk.length;
      if (total > maxBytes) {
        overflow = true;
        throw errors.tooLarge();
      }
      chunks.push(chunk.slice());
    },
  });
  try {
    await entry.getData!(sink, { ...IN_PLACE, checkCrc32: true });
  } catch (e) {
    if (overflow) throw errors.tooLarge();
    if (isMemscopeError(e)) throw e;
    throw errors.corrupt(describeCause(e));
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Where a stored (uncompressed) entry's bytes lie in the ZIP file. */
export interface StoredMember {
  readonly dataOffset: number;
  readonly size: number;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;

/**
 * A stored entry's bytes: they follow its local header, whose name and extra field may differ in length from the
 * central directory's. No local header → CORRUPT; a file ending inside the entry → TRUNCATED.
 */
export async function storedEntryData(source: ByteSource, entry: FileEntry): Promise<StoredMember> {
  const what = `ZIP member ${entry.filename}`;
  const header = await readExact(source, entry.offset, LOCAL_HEADER_SIZE, `local header of ${what}`);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
    throw new MemscopeError('CORRUPT', `no ZIP local header at ${hex(entry.offset)} for ${what}`, source.name);
  }
  const dataOffset = entry.offset + LOCAL_HEADER_SIZE + view.getUint16(26, true) + view.getUint16(28, true);
  const size = entry.compressedSize;
  if (dataOffset + size > source.size) {
    throw new MemscopeError(
      'TRUNCATED',
      `file is truncated: it ends at ${hex(source.size)}, inside ${what} (${hex(dataOffset)}..${hex(dataOffset + size)})`,
      source.name,
    );
  }
  return { dataOffset, size };
}
