/**
 * Decode speed of the containers' codecs: 64 MiB compressed in 64 KiB units (as a hibernation file stores its pages;
 * AFF4, kdump and the framed streams use units of this order too), then decoded as memscope decodes them: Xpress Plain
 * LZ77 and LZ77+Huffman (hiberfil.sys; encoded by the test writer), Snappy (snappyjs: kdump, AFF4, framed Snappy), S2
 * (memscope's block decoder, here of Snappy-encoded blocks, which S2 reads), LZ4 (lz4js: AFF4) and deflate (fflate:
 * zip, gzip, AFF4, kdump's zlib). Two kinds of data: the Node executable (machine code and data, as most memory is)
 * and a generated Windows image (mostly zero pages, the rest random filler).
 */
import { deflateSync, inflateSync } from 'fflate';
import { compressBlock, compressBound, decompressBlock } from 'lz4js';
import snappy from 'snappyjs';
import { closeSync, openSync, readSync } from 'node:fs';
import { decompressLz77Huffman } from '../../src/formats/xpress/lz77-huffman.ts';
import { decodeS2Block } from '../../src/formats/snappy/s2-block.ts';
import { decompressPlainLz77 } from '../../src/formats/xpress/plain-lz77.ts';
import { compressLz77Huffman, compressPlainLz77 } from '../helpers/xpress-writer.ts';

const UNIT = 65536;
export const DECODE_BENCH_BYTES = 64 * 1024 * 1024;

export interface XpressFigures {
  readonly ratio: number;
  readonly bytesPerSecond: number;
}

/** The first `size` bytes of `path`, repeated from its start if the file is shorter. */
export function fileBytes(path: string, size = DECODE_BENCH_BYTES): Uint8Array {
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
  snappy: {
    name: 'Snappy (snappyjs)',
    compress: (data: Uint8Array) => snappy.compress(data),
    decompress: (data: Uint8Array) => snappy.uncompress(data),
  },
  s2: { name: 'S2 (memscope)', compress: (data: Uint8Array) => snappy.compress(data), decompress: decodeS2Block },
  lz4: {
    name: 'LZ4 (lz4js)',
    compress: (data: Uint8Array) => {
      const out = new Uint8Array(compressBound(data.length));
      return out.subarray(0, compressBlock(data, out, 0, data.length, new Uint32Array(1 << 16)));
    },
    decompress: (data: Uint8Array, size: number) => {
      const out = new Uint8Array(size);
      decompressBlock(data, out, 0, data.length, 0);
      return out;
    },
  },
};

/** Compression ratio and decode speed of one codec over `data`, best of five passes. */
export function decodeBench(data: Uint8Array, codec: keyof typeof CODECS): XpressFigures {
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
export function decodeBenchLines(windowsImage: string): string[] {
  const lines: string[] = [];
  for (const [what, path] of [
    ['node binary', process.execPath],
    ['Windows image', windowsImage],
  ] as const) {
    const data = fileBytes(path);
    for (const codec of Object.keys(CODECS) as (keyof typeof CODECS)[]) {
      const { ratio, bytesPerSecond } = decodeBench(data, codec);
      const label = `${CODECS[codec].name}, 64 MiB ${what}`;
      lines.push(`${label.padEnd(46)} ${(bytesPerSecond / 1e6).toFixed(0)} MB/s decode (compression ratio ${ratio.toFixed(2)})`);
    }
  }
  return lines;
}
