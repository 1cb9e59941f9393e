import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { TRUNCATED_FILE } from './truncation.ts';

export const PAGE = 4096;
/** A compression set holds at most 16 pages (64 KiB): one Xpress unit. */
const MAX_SET_PAGES = 16;
/** The set header: a 32-bit word, then up to 255 64-bit page descriptors. */
const MAX_SET_HEADER = 4 + 255 * 8;
/** Physical addresses must stay below 2^53: page numbers below 2^41. */
const MAX_PAGES = 2 ** 41;

/** Where PO_MEMORY_IMAGE's fields lie, by its LengthSelf (x64 only: 32-bit Windows has another layout). */
interface HeaderLayout {
  readonly build: string;
  readonly numPagesForLoader: number;
  readonly firstBootRestorePage: number;
  readonly firstKernelRestorePage: number;
  readonly kernelPagesProcessed: number;
  readonly highestPhysicalPage: number;
}

const layout = (build: string, boot: number, kernelProcessed: number, highest: number): HeaderLayout => ({
  build,
  numPagesForLoader: 0x58,
  firstBootRestorePage: boot,
  firstKernelRestorePage: boot + 8,
  kernelPagesProcessed: kernelProcessed,
  highestPhysicalPage: highest,
});

/** x64 PO_MEMORY_IMAGE layouts of Windows 8 and later, keyed by LengthSelf (see hiberfil.md for the sources). */
export const HEADER_LAYOUTS: ReadonlyMap<number, HeaderLayout> = new Map([
  [0x360, layout('9200/9600 (Windows 8, 8.1)', 0x60, 0x1c8, 0x330)],
  [0x3b0, layout('10240/10586', 0x68, 0x218, 0x380)],
  [0x3c8, layout('14393', 0x68, 0x220, 0x388)],
  [0x3d8, layout('15063-17134', 0x68, 0x230, 0x398)],
  [0x3e0, layout('17763-19041', 0x68, 0x230, 0x398)],
  [0x448, layout('20348-22621', 0x68, 0x230, 0x400)],
  [0x4d8, layout('26100', 0x68, 0x230, 0x498)],
]);

/** "HIBR" (a hibernation) or "WAKE" (being resumed), little-endian at offset 0 from Windows 8 on. */
export const SIGNATURES: ReadonlyMap<number, string> = new Map([
  [0x52424948, 'HIBR'],
  [0x454b4157, 'WAKE'],
]);

export type SetCodec = 'stored' | 'plain' | 'huffman';

/** The compression sets of the file (parallel arrays) and the physical page runs each descriptor gives. */
export interface HiberfilIndex {
  readonly signature: string;
  readonly build: string;
  readonly highestPage: number;
  readonly setOffsets: number[];
  readonly setSizes: number[];
  readonly setPages: number[];
  readonly setCodecs: SetCodec[];
  /** Descriptor runs: first page, page count, compression set, first page inside the set. */
  readonly runs: { page: number; pages: number; set: number; pageInSet: number }[];
  readonly warnings: string[];
}

export const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;

/**
 * Reads the header of a Windows 8+ hiberfil.sys and walks its two restore sets (boot loader pages, then kernel
 * pages), each a chain of compression sets: a word (descriptor count in bits 0-7, compressed size in bits 8-29,
 * bit 31 set for LZ77+Huffman, else Plain LZ77), 64-bit page descriptors (pages - 1 in bits 0-3, first page number
 * above), then the data. A set whose size is its pages × 4096 is stored. A chain cut by the end of the file keeps
 * the sets before it, with a warning; impossible values → CORRUPT.
 */
export async function indexHiberfil(source: ByteSource, onProgress?: (fileOffset: number) => void): Promise<HiberfilIndex> {
  const corrupt = (why: string) => new MemscopeError('CORRUPT', `hibernation file: ${why}`, source.name);
  const head = await source.read(0, PAGE);
  if (head.length < PAGE) throw new MemscopeError('TRUNCATED', 'hibernation file: shorter than its one-page header', source.name);
  const signature = SIGNATURES.get(u32(head, 0));
  const lengthSelf = u32(head, 0x0c);
  const fields = HEADER_LAYOUTS.get(lengthSelf);
  if (!signature || !fields) {
    const why = `header of ${lengthSelf} bytes is not the x64 PO_MEMORY_IMAGE of Windows 8 or later (Windows 7 and older, and 32-bit Windows, are not supported)`;
    throw new MemscopeError('UNSUPPORTED', `hibernation file: ${why}`, source.name);
  }
  if (u32(head, 0x18) !== PAGE) throw corrupt(`page size ${u32(head, 0x18)}, not ${PAGE}`);
  const highestPage = u64(head, fields.highestPhysicalPage);
  if (highestPage >= MAX_PAGES) throw corrupt(`highest physical page ${hex(highestPage)} is beyond any machine`);
  const index: HiberfilIndex = {
    signature,
    build: fields.build,
    highestPage,
    setOffsets: [],
    setSizes: [],
    setPages: [],
    setCodecs: [],
    runs: [],
    warnings: [],
  };
  const restoreSets = [
    { what: 'boot restore set', first: u64(head, fields.firstBootRestorePage), pages: u64(head, fields.numPagesForLoader) },
    { what: 'kernel restore set', first: u64(head, fields.firstKernelRestorePage), pages: u64(head, fields.kernelPagesProcessed) },
  ];
  for (const { what, first, pages } of restoreSets) {
    if (first * PAGE >= source.size || pages === 0) {
      if (pages > 0)
        index.warnings.push(
          `${TRUNCATED_FILE}: the ${what} would start at page ${hex(first)}, past the end of the file; its ${pages} pages read as zeros`,
        );
      continue;
    }
    let at = first * PAGE;
    for (let done = 0; done < pages;) {
      onProgress?.(at);
      const setHead = await source.read(at, MAX_SET_HEADER);
      const word = setHead.length >= 4 ? u32(setHead, 0) : 0;
      const descriptors = word & 0xff;
      const size = (word >>> 8) & 0x3fffff;
      const dataAt = at + 4 + 8 * descriptors;
      if (setHead.length < 4 || setHead.length < 4 + 8 * descriptors || dataAt + size > source.size) {
        index.warnings.push(
          `${TRUNCATED_FILE}: the ${what} breaks off in the compression set at file offset ${hex(at)}; ${pages - done} of its ${pages} pages read as zeros`,
        );
        break;
      }
      if (descriptors === 0 || size === 0)
        throw corrupt(`the ${what}'s compression set at file offset ${hex(at)} is empty, ${pages - done} pages before the set's end`);
      const set = index.setOffsets.length;
      let inSet = 0;
      for (let d = 0; d < descriptors; d++) {
        const descriptor = u64(setHead, 4 + 8 * d);
        const run = { page: Math.floor(descriptor / 16), pages: (descriptor % 16) + 1, set, pageInSet: inSet };
        if (run.page + run.pages > highestPage + 1) {
          throw corrupt(`the compression set at file offset ${hex(at)} holds page ${hex(run.page)}, above the highest page ${hex(highestPage)}`);
        }
        index.runs.push(run);
        inSet += run.pages;
      }
      if (inSet > MAX_SET_PAGES) throw corrupt(`the compression set at file offset ${hex(at)} holds ${inSet} pages, more than ${MAX_SET_PAGES}`);
      index.setOffsets.push(dataAt);
      index.setSizes.push(size);
      index.setPages.push(inSet);
      index.setCodecs.push(size === inSet * PAGE ? 'stored' : word >>> 31 ? 'huffman' : 'plain');
      done += inSet;
      at = dataAt + size;
    }
  }
  return index;
}
