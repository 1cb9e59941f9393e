// The reader half of zip.js only: its writer and codec workers stay out of the engine bundle.
import type { FileEntry, ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';
import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { describeCause } from '../../io/read-bounds.ts';
import { sliceSource } from '../../io/slice-source.ts';
import { IN_PLACE, openZipReader, storedEntryData } from '../../io/zip-byte-source-reader.ts';
import { decompressToTemp, tempCopyNotice, type UnpackEnv } from './temp-copy.ts';
import { imageMember } from './zip-image-member.ts';

/** A ZIP with a memory image in it has a few members; a central directory claiming more is garbage. */
const MAX_MEMBERS = 100_000;
const STORED = 0;

export interface ZipImage {
  /** The member's bytes: a slice of the ZIP for a stored member, a temporary copy (deleted on close) for a deflated one. */
  readonly source: ByteSource;
  /** "ZIP member memory.raw (stored, read in place)". */
  readonly packaging: string;
  readonly warnings: readonly string[];
}

/**
 * The memory image in a ZIP (imageMember picks it): a stored member is read in place, a compressed one is inflated
 * once (zip.js, CRC checked) into a temporary copy with progress. A symbol pack, an archive without an image or with
 * several → UNKNOWN_FORMAT saying which; an encrypted member → UNSUPPORTED; a ZIP without a central directory → TRUNCATED.
 */
export async function zipImage(source: ByteSource, env: UnpackEnv): Promise<ZipImage> {
  const zip = await openZipReader(source);
  try {
    const choice = imageMember(await members(zip, source));
    if ('refusal' in choice) throw new MemscopeError('UNKNOWN_FORMAT', `this is ${choice.why}`, source.name);
    const entry = choice.member;
    const name = entry.filename.split('/').pop() || entry.filename;
    if (entry.encrypted) throw new MemscopeError('UNSUPPORTED', `ZIP member ${entry.filename} is encrypted: extract it first`, source.name);
    if (entry.compressionMethod === STORED) {
      const { dataOffset, size } = await storedEntryData(source, entry);
      return { source: sliceSource(source, dataOffset, size, name), packaging: `ZIP member ${entry.filename} (stored, read in place)`, warnings: [] };
    }
    const what = `ZIP member ${entry.filename}`;
    const copy = await decompressToTemp(source, name, what, env, async (sink) => {
      await inflate(entry, source, sink, env);
      return [];
    });
    return {
      source: copy.source,
      packaging: `ZIP member ${entry.filename} (deflated, decompressed to a temporary copy)`,
      warnings: [tempCopyNotice(what, copy.bytes)],
    };
  } finally {
    await zip.close().catch(() => undefined);
  }
}

async function members(zip: ZipReader<ByteSource>, source: ByteSource): Promise<FileEntry[]> {
  const found: FileEntry[] = [];
  try {
    for await (const entry of zip.getEntriesGenerator()) {
      if (found.length === MAX_MEMBERS) throw new MemscopeError('CORRUPT', `the ZIP lists more than ${MAX_MEMBERS} members`, source.name);
      found.push(entry as FileEntry);
    }
  } catch (e) {
    if (isMemscopeError(e)) throw e;
    const cause = describeCause(e);
    if (/central directory|end of/i.test(cause)) {
      throw new MemscopeError('TRUNCATED', `the ZIP's central directory is missing (${cause}): the file is truncated or damaged`, source.name);
    }
    throw new MemscopeError('CORRUPT', `not a readable ZIP archive (${cause})`, source.name);
  }
  return found;
}

/** The member inflated through `sink` with its CRC checked; a stream zip.js cannot inflate → CORRUPT. */
async function inflate(entry: FileEntry, source: ByteSource, sink: (chunk: Uint8Array) => Promise<void>, env: UnpackEnv): Promise<void> {
  const what = `ZIP member ${entry.filename}`;
  try {
    await entry.getData!(new WritableStream<Uint8Array>({ write: (chunk) => sink(chunk) }), {
      ...IN_PLACE,
      checkCrc32: true,
      signal: env.signal,
      onprogress: async (done, total) => env.onProgress?.(done, total, `Decompressing ${what}`),
    });
  } catch (e) {
    if (isMemscopeError(e)) throw e;
    if (env.signal?.aborted) throw new MemscopeError('CANCELLED', `decompressing ${what} cancelled`, source.name);
    throw new MemscopeError('CORRUPT', `${what} cannot be inflated (${describeCause(e)})`, source.name);
  }
}
