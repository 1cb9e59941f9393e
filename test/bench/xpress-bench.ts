/**
 * Xpress decode speed (the codecs of hiberfil.sys): 64 MiB compressed in 64 KiB units, as a hibernation file stores
 * its pages, with the test writer, then decoded by memscope's Plain LZ77 and LZ77+Huffman decoders. Two kinds of
 * data: the Node executable (machine code and data, as most memory is) and a generated Windows image (mostly zero
 * pages, the rest random filler). fflate's inflate of the same units deflated (level 6) is measured beside them: a
 * well-tuned JavaScript decoder of a comparable LZ77+Huffman format.
 */
import { deflateSync, inflateSync } from 'fflate';
import { closeSync, openSync, readSync } from 'node:fs';
import { decompressLz77Huffman } from '../../src/formats/xpress/lz77-huffman.ts';
import { decompressPlainLz77 } from '../../src/formats/xpress/plain-lz77.ts';
import { compressLz77Huffman, compressPlainLz77 } from '../helpers/xpress-writer.ts';

const UNIT = 65536;
export const XPRESS_BENCH_BYTES = 64 * 1024 * 1024;

export interface XpressFigures {
  readonly ratio: number;
  readonly bytesPerSecond: number;
}

/** The first `size` bytes of `path`, repeated from its start if the file is shorter. */
export function fileBytes(path: string, size = XPRESS_BENCH_BYTES): Uint8Array {
  const out = new Uint8Array(size);
  const fd = openSync(path, 'r');
  let filled = 0;
  try {
    for (let n = 1; filled < size && n > 0; filled += n) n = readSync(fd, out, filled, size - filled, filled);
  } finally {
    closeSync(fd);
  }
  for (let at = filled; filled > 0 && at < size; at += filled) out.copyWithin(at, 0, Math.min(filled, size - at));
  return out;
}

const CODECS = {
  plain: { name: 'Xpress Plain LZ77', compress: compressPlainLz77, decompress: decompressPlainLz77 },
  huffman: { name: 'Xpress LZ77+Huffman', compress: compressLz77Huffman, decompress: decompressLz77Huffman },
  deflate: {
    name: 'deflate (fflate inflate)',
    compress: (data: Uint8Array) => deflateSync(data, { level: 6 }),
    decompress: (data: Uint8Array, size: number) => inflateSync(data, { out: new Uint8Array(size) }),
  },
};

/** Compression ratio and decode speed of one codec over `data`, best of five passes. */
export function xpressDecodeBench(data: Uint8Array, codec: keyof typeof CODECS): XpressFigures {
  const { compress, decompress } = CODECS[codec];
  const units: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += UNIT) units.push(compress(data.subarray(at, at + UNIT)));
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const start = performance.now();
    for (const unit of units) decompress(unit, UNIT);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return { ratio: data.length / units.reduce((sum, u) => sum + u.length, 0), bytesPerSecond: data.length / best };
}

/** The bench's lines: each codec over 64 MiB of the Node executable and of `windowsImage` (a generated image). */
export function xpressBenchLines(windowsImage: string): string[] {
  const lines: string[] = [];
  for (const [what, path] of [
    ['node binary', process.execPath],
    ['Windows image', windowsImage],
  ] as const) {
    const data = fileBytes(path);
    for (const codec of ['plain', 'huffman', 'deflate'] as const) {
      const { ratio, bytesPerSecond } = xpressDecodeBench(data, codec);
      const label = `${CODECS[codec].name}, 64 MiB ${what}`;
      lines.push(`${label.padEnd(46)} ${(bytesPerSecond / 1e6).toFixed(0)} MB/s decode (compression ratio ${ratio.toFixed(2)})`);
    }
  }
  return lines;
}
