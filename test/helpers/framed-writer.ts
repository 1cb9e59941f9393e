// Test helper: the Snappy framing format (google/snappy framing_format.txt) and S2's variant of it, written from the
// format documents, not from memscope's reader: a stream identifier ("sNaPpY" / "S2sTwO"), data chunks (type 0
// compressed, type 1 stored) each with the masked CRC-32C of its uncompressed bytes. Blocks are compressed with
// snappyjs (an S2 reader reads Snappy blocks: S2 only adds to the block format).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import snappy from 'snappyjs';

const CHUNK = 65536;
/** The stream identifier chunk of each framing. */
export const IDENTIFIER = {
  snappy: Uint8Array.from([0xff, 6, 0, 0, ...new TextEncoder().encode('sNaPpY')]),
  s2: Uint8Array.from([0xff, 6, 0, 0, ...new TextEncoder().encode('S2sTwO')]),
};

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The framing format's checksum: CRC-32C of the uncompressed bytes, rotated right 15 bits, plus 0xa282ead8. */
export function snappyChecksum(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  crc = ~crc >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One framing chunk: type, 24-bit length, body. */
export function framingChunk(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set([type, body.length & 0xff, (body.length >> 8) & 0xff, body.length >> 16]);
  out.set(body, 4);
  return out;
}

/** A data chunk of `data`: compressed (type 0) unless that saves nothing (type 1, stored), with its checksum. */
export function snappyDataChunk(data: Uint8Array, compress: (data: Uint8Array) => Uint8Array = snappy.compress): Uint8Array {
  const packed = compress(data);
  const [type, body] = packed.length < data.length ? [0, packed] : [1, data];
  const withCrc = new Uint8Array(4 + body.length);
  new DataView(withCrc.buffer).setUint32(0, snappyChecksum(data), true);
  withCrc.set(body, 4);
  return framingChunk(type, withCrc);
}

/** `data` as a framed stream: Snappy framing with 64 KiB chunks, or S2 framing with `blockSize` chunks (up to 4 MiB). */
export function framedStream(data: Uint8Array, kind: 'snappy' | 's2' = 'snappy', blockSize = kind === 'snappy' ? CHUNK : 1 << 20): Uint8Array[] {
  const parts: Uint8Array[] = [IDENTIFIER[kind]];
  for (let at = 0; at < data.length; at += blockSize) parts.push(snappyDataChunk(data.subarray(at, at + blockSize)));
  return parts;
}

/**
 * `rawPath` as one framed stream in `to` (go-winpmem's compressed raw image): Snappy framing with 64 KiB chunks, or S2
 * framing with `blockSize` chunks (S2 allows up to 4 MiB).
 */
export function writeFramedRaw(rawPath: string, to: string, kind: 'snappy' | 's2', blockSize = kind === 'snappy' ? CHUNK : 1 << 20): void {
  const raw = openSync(rawPath, 'r');
  const out = openSync(to, 'w');
  try {
    writeSync(out, IDENTIFIER[kind]);
    const block = new Uint8Array(blockSize);
    for (let at = 0; ; at += blockSize) {
      const n = readSync(raw, block, 0, blockSize, at);
      if (n === 0) break;
      writeSync(out, snappyDataChunk(block.subarray(0, n)));
    }
  } finally {
    closeSync(raw);
    closeSync(out);
  }
}
