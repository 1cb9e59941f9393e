import snappy from 'snappyjs';
import { describeCause } from '../../io/read-bounds.ts';

/** Decompresses one chunk to at most `maxBytes`; throws with the codec's reason when it cannot. */
export type ChunkDecoder = (stored: Uint8Array, maxBytes: number) => Promise<Uint8Array>;

/** `aff4:compressionMethod` URL → decoder; undefined for a method memscope cannot decode (LZ4, unknown). */
export function chunkDecoder(method: string): ChunkDecoder | undefined {
  const m = method.toLowerCase();
  if (m.includes('snappy')) return async (stored, max) => snappy.uncompress(stored, max);
  if (m.includes('rfc1950') || m.includes('zlib')) return (stored, max) => inflate(stored, 'deflate', max);
  if (m.includes('rfc1951') || m.includes('deflate')) return (stored, max) => inflate(stored, 'deflate-raw', max);
  if (m.includes('nullcompressor') || m.endsWith('stored')) return async (stored) => stored;
  return undefined;
}

/** The platform's inflater, stopped once the output passes `maxBytes` so a deflate bomb costs nothing. */
async function inflate(stored: Uint8Array, format: 'deflate' | 'deflate-raw', maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([stored as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format)).getReader();
  const out = new Uint8Array(maxBytes + 1);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const n = Math.min(value.length, out.length - total);
      out.set(value.subarray(0, n), total);
      total += n;
      if (total > maxBytes) break;
    }
  } catch (e) {
    throw new Error(`${format} stream invalid: ${describeCause(e)}`);
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return out.subarray(0, total);
}
