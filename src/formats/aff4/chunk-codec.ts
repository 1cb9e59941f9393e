import { decompressBlock } from 'lz4js';
import snappy from 'snappyjs';
import { describeCause } from '../../io/read-bounds.ts';

/** Decompresses one chunk to at most `maxBytes`; throws with the codec's reason when it cannot. */
export type ChunkDecoder = (stored: Uint8Array, maxBytes: number) => Promise<Uint8Array>;

/** `aff4:compressionMethod` URL → decoder; undefined for a method memscope cannot decode. */
export function chunkDecoder(method: string): ChunkDecoder | undefined {
  const m = method.toLowerCase();
  if (m.includes('snappy')) return async (stored, max) => snappy.uncompress(stored, max);
  if (m.includes('lz4')) return async (stored, max) => lz4Block(stored, max);
  if (m.includes('rfc1950') || m.includes('zlib')) return (stored, max) => inflate(stored, 'deflate', max);
  if (m.includes('rfc1951') || m.includes('deflate')) return (stored, max) => inflate(stored, 'deflate-raw', max);
  if (m.includes('nullcompressor') || m.endsWith('stored')) return async (stored) => stored;
  return undefined;
}

/**
 * One LZ4 block, as c-aff4 and Evimetry write it (raw), or with the 4-byte little-endian size python-lz4 puts first by
 * default. The decoder does not check bounds itself: output past `maxBytes` is dropped and makes the chunk invalid.
 */
function lz4Block(stored: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(maxBytes + 1);
  const decode = (from: number): number | null => {
    try {
      const end = decompressBlock(stored, out, from, stored.length - from, 0);
      return end > 0 && end <= maxBytes ? end : null;
    } catch {
      return null;
    }
  };
  const declared = stored.length >= 4 ? new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true) : 0;
  const prefixed = declared > 0 && declared <= maxBytes ? decode(4) : null;
  if (prefixed === declared) return out.slice(0, declared);
  const raw = decode(0);
  if (raw === null) throw new Error('LZ4 block invalid: it decodes to nothing or to more than a chunk');
  return out.slice(0, raw);
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
