// Test helper: a raw image wrapped as a Windows 10 (build 19041, x64) hiberfil.sys, written from the PO_MEMORY_IMAGE
// layout in Microsoft's symbols and the restore-set format described by Sylve et al. ("Modern Windows hibernation file
// analysis", 2017), not from memscope's reader. Page 0 is the header; the boot restore set follows at page 1, the
// kernel restore set at the next page boundary. Zero pages are left out (they read as zeros), the others go in
// compression sets of up to 16 pages whose codec cycles through LZ77+Huffman, Plain LZ77 and (as Windows does when
// compressing does not pay) stored; the kernel restore set lists its sets from the highest pages down.
import { compressLz77Huffman, compressPlainLz77 } from './xpress-writer.ts';

const PAGE = 4096;
const SET_PAGES = 16;
/** PO_MEMORY_IMAGE of build 19041 (x64): its size and the fields written. */
const LENGTH_SELF = 0x3e0;
const FIELD = {
  signature: 0x00,
  lengthSelf: 0x0c,
  pageSize: 0x18,
  numPagesForLoader: 0x58,
  firstBootRestorePage: 0x68,
  firstKernelRestorePage: 0x70,
  kernelPagesProcessed: 0x88 + 0x1a8,
  highestPhysicalPage: 0x398,
};

export interface HiberfilOptions {
  /** How many of the first non-zero pages go in the boot restore set (default 64). */
  readonly bootPages?: number;
}

/** The non-zero pages of `image` cut into compression sets: page descriptors of consecutive pages, 16 pages a set. */
function compressionSets(pages: number[]): number[][] {
  const sets: number[][] = [];
  for (let i = 0; i < pages.length; i += SET_PAGES) sets.push(pages.slice(i, i + SET_PAGES));
  return sets;
}

/** One compression set: its header word, the descriptors (first page << 4 | pages - 1), then the data. */
function writeSet(image: Uint8Array, pages: number[], codecTurn: number): Uint8Array {
  const raw = new Uint8Array(pages.length * PAGE);
  pages.forEach((page, i) => raw.set(image.subarray(page * PAGE, (page + 1) * PAGE), i * PAGE));
  const descriptors: [number, number][] = [];
  for (const page of pages) {
    const last = descriptors.at(-1);
    if (last && last[0] + last[1] === page) last[1]++;
    else descriptors.push([page, 1]);
  }
  const huffman = codecTurn % 3 === 0;
  const packed = codecTurn % 3 === 2 ? raw : huffman ? compressLz77Huffman(raw) : compressPlainLz77(raw);
  const data = packed.length < raw.length ? packed : raw;
  const out = new Uint8Array(4 + 8 * descriptors.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (descriptors.length | (data.length << 8) | (huffman && data !== raw ? 0x80000000 : 0)) >>> 0, true);
  descriptors.forEach(([page, count], i) => view.setBigUint64(4 + 8 * i, (BigInt(page) << 4n) | BigInt(count - 1), true));
  out.set(data, 4 + 8 * descriptors.length);
  return out;
}

/** `image` (a raw physical memory image) as a hibernation file. */
export function writeHiberfil(image: Uint8Array, options: HiberfilOptions = {}): Uint8Array {
  const pages: number[] = [];
  for (let page = 0; page < image.length / PAGE; page++) {
    if (image.subarray(page * PAGE, (page + 1) * PAGE).some((b) => b !== 0)) pages.push(page);
  }
  const bootCount = Math.min(options.bootPages ?? 64, pages.length);
  const boot = compressionSets(pages.slice(0, bootCount));
  const kernel = compressionSets(pages.slice(bootCount)).reverse();
  let turn = 0;
  const bootBytes = boot.map((set) => writeSet(image, set, turn++));
  const kernelBytes = kernel.map((set) => writeSet(image, set, turn++));
  const bootLength = bootBytes.reduce((n, b) => n + b.length, 0);
  const kernelPage = 1 + Math.ceil(bootLength / PAGE);
  const out = new Uint8Array(kernelPage * PAGE + kernelBytes.reduce((n, b) => n + b.length, 0));
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('HIBR'), FIELD.signature);
  view.setUint32(FIELD.lengthSelf, LENGTH_SELF, true);
  view.setUint32(FIELD.pageSize, PAGE, true);
  view.setBigUint64(FIELD.numPagesForLoader, BigInt(bootCount), true);
  view.setBigUint64(FIELD.firstBootRestorePage, 1n, true);
  view.setBigUint64(FIELD.firstKernelRestorePage, BigInt(kernelPage), true);
  view.setBigUint64(FIELD.kernelPagesProcessed, BigInt(pages.length - bootCount), true);
  view.setBigUint64(FIELD.highestPhysicalPage, BigInt(image.length / PAGE - 1), true);
  for (const [start, sets] of [
    [PAGE, bootBytes],
    [kernelPage * PAGE, kernelBytes],
  ] as const) {
    let at = start;
    for (const set of sets) {
      out.set(set, at);
      at += set.length;
    }
  }
  return out;
}
