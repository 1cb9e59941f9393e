import { Gunzip } from 'fflate';
import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { describeCause } from '../../io/read-bounds.ts';
import { TRUNCATED_FILE } from '../truncation.ts';
import { decompressToTemp, type ChunkSink, type TempCopy, type UnpackEnv } from './temp-copy.ts';

/** Compressed bytes read from the file at a time. */
const READ_BYTES = 1024 * 1024;
/**
 * Compressed bytes inflated at a time: deflate expands at most ~1032:1, so one push of zeros yields at most ~32 MiB
 * before it is written out.
 */
const PUSH_BYTES = 32 * 1024;

export function isGzipSignature(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** "memory.raw.gz" → "memory.raw"; "memory.tgz"-like names are kept whole. */
export function gunzippedName(name: string): string {
  return /.\.gz$/i.test(name) ? name.slice(0, -3) : name;
}

/**
 * A gzip file (one member or several concatenated) decompressed once, streaming, into a temporary copy with
 * progress. A stream that breaks off (a truncated file) keeps what came before with a warning; one with nothing
 * readable → CORRUPT.
 */
export async function gunzipToTemp(source: ByteSource, env: UnpackEnv): Promise<TempCopy> {
  return decompressToTemp(source, gunzippedName(source.name), 'the gzip file', env, (sink) => gunzipInto(source, sink, env));
}

async function gunzipInto(source: ByteSource, sink: ChunkSink, env: UnpackEnv): Promise<string[]> {
  const inflated: Uint8Array[] = [];
  let emitted = 0;
  let memberStart = 0;
  const gunzip = new Gunzip((chunk) => {
    emitted += chunk.length;
    if (chunk.length > 0) inflated.push(chunk);
  });
  gunzip.onmember = () => (memberStart = emitted);
  let read = 0;
  let written = 0;
  const drain = async () => {
    for (const chunk of inflated.splice(0)) {
      await sink(chunk);
      written += chunk.length;
    }
  };
  try {
    while (read < source.size) {
      const block = await source.read(read, READ_BYTES);
      if (block.length === 0) break;
      read += block.length;
      for (let at = 0; at < block.length; at += PUSH_BYTES) {
        const end = Math.min(block.length, at + PUSH_BYTES);
        gunzip.push(block.subarray(at, end), read >= source.size && end === block.length);
        await drain();
      }
      env.onProgress?.(read, source.size, 'Decompressing the gzip file');
    }
  } catch (e) {
    if (isMemscopeError(e)) throw e;
    await drain();
    const why = `the gzip stream breaks off (${describeCause(e)}) within its first ${read} compressed bytes`;
    if (written === 0) throw new MemscopeError('CORRUPT', `${why}: nothing in it can be decompressed`, source.name);
    return [`${TRUNCATED_FILE} or damaged: ${why}; the ${written} bytes decompressed before it are read, the rest of the image is missing`];
  }
  // fflate ends quietly when the stream stops between two deflate blocks: the last member's size (ISIZE, mod 2^32) in
  // the file's last 4 bytes tells a complete stream from a cut one.
  const trailer = await source.read(Math.max(0, source.size - 4), 4);
  const isize = trailer.length === 4 ? new DataView(trailer.buffer, trailer.byteOffset, 4).getUint32(0, true) : -1;
  if (isize !== (emitted - memberStart) % 2 ** 32) {
    return [
      `${TRUNCATED_FILE} or damaged: the gzip stream ends without the trailer of its last member; the ${written} bytes decompressed are read, the rest of the image is missing`,
    ];
  }
  return [];
}
