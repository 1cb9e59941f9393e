// Test helper: writes AVML version 2 files as Microsoft's avml does (from its documented layout, not memscope's reader):
// per range of at most 16 MiB a LiME-like header ("AVML", version 2, start, inclusive end, zero padding), then the
// range's bytes as a Snappy-framed stream (./framed-writer.ts) and the stream's
// length as a u64. An all-zero range is left out (avml today), or written as its header alone (older avml versions).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { framedStream } from './framed-writer.ts';

const AVML_MAGIC = 0x4c4d5641;
const MAX_RANGE = 16 * 1024 * 1024;
function header(start: number, end: number): Uint8Array {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, AVML_MAGIC, true);
  view.setUint32(4, 2, true);
  view.setBigUint64(8, BigInt(start), true);
  view.setBigUint64(16, BigInt(end - 1), true);
  return bytes;
}

/** Physical memory `start .. start + length` taken from a raw image at `fileOffset`. */
export interface AvmlRange {
  readonly start: number;
  readonly length: number;
  readonly fileOffset: number;
}

/** Writes an AVML file of `ranges` of the raw image `rawPath` to `to`; returns how many ranges were all zeros. */
export function writeAvml(rawPath: string, ranges: readonly AvmlRange[], to: string, { zeroHeaders = false } = {}): { zeroRanges: number } {
  const raw = openSync(rawPath, 'r');
  const out = openSync(to, 'w');
  let zeroRanges = 0;
  try {
    for (const range of ranges) {
      for (let at = 0; at < range.length; at += MAX_RANGE) {
        const data = new Uint8Array(Math.min(MAX_RANGE, range.length - at));
        readSync(raw, data, 0, data.length, range.fileOffset + at);
        const zero = data.every((b) => b === 0);
        zeroRanges += zero ? 1 : 0;
        if (!zero || zeroHeaders) writeSync(out, header(range.start + at, range.start + at + data.length));
        if (zero) continue;
        let written = 0;
        for (const part of framedStream(data)) written += writeSync(out, part);
        const trailer = new Uint8Array(8);
        new DataView(trailer.buffer).setBigUint64(0, BigInt(written), true);
        writeSync(out, trailer);
      }
    }
  } finally {
    closeSync(raw);
    closeSync(out);
  }
  return { zeroRanges };
}
