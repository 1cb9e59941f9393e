import { unzlibSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import snappy from 'snappyjs';
import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { readExact } from '../io/read-exact.ts';
import type { ContainerNote, PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { DamagedPages } from '../layers/damaged-pages.ts';
import { LruCache } from './aff4/lru-cache.ts';
import type { ContainerFormat } from './container-format.ts';
import { parseElfNotes } from './elf-notes.ts';
import { ascii, FLATTENED_SIGNATURE, KDUMP_SIGNATURE, readKdumpHeader, type FileRange, type KdumpHeader } from './kdump-header.ts';
import { lzo1xDecompress } from './lzo1x.ts';
import { TRUNCATED_FILE } from './truncation.ts';

/** page_desc_t: offset i64, size u32, flags u32, page_flags u64. */
const DESCRIPTOR = 24;
/** Descriptors read per block: 4096 × 24 bytes. */
const DESCRIPTORS_PER_BLOCK = 4096;
const DESCRIPTOR_CACHE = 16;
const PAGE_CACHE = 256;
/** Reads of up to this many pages go through the page cache (structure reads); larger ones (scans) do not. */
const CACHED_READ_PAGES = 8;
/** Most bytes of page data fetched with one source read in a large read. */
const MAX_SPAN = 1024 * 1024;
const MAX_NOTES = 16 * 1024 * 1024;

const enum Compression {
  Zlib = 0x1,
  Lzo = 0x2,
  Snappy = 0x4,
  Zstd = 0x20,
}

/**
 * makedumpfile's kdump-compressed format ("KDUMP   ", also written by QEMU dump-guest-memory -z): a header,
 * a sub-header with VMCOREINFO and ELF notes, two page bitmaps (valid / dumped) and one descriptor per dumped
 * page pointing at its zlib / LZO / snappy / zstd or stored data. Pages not dumped (excluded zero or free
 * pages) are holes.
 */
export const kdumpFormat: ContainerFormat = {
  id: 'kdump',
  description: 'kdump-compressed dump (makedumpfile, QEMU dump-guest-memory -z)',

  probe(head) {
    if (ascii(head, 0, 8) === KDUMP_SIGNATURE) return 1;
    return ascii(head, 0, FLATTENED_SIGNATURE.length) === FLATTENED_SIGNATURE ? 0.9 : 0;
  },

  async open(source: ByteSource): Promise<PhysicalLayer> {
    const magic = await readExact(source, 0, FLATTENED_SIGNATURE.length, 'kdump signature');
    if (ascii(magic, 0, FLATTENED_SIGNATURE.length) === FLATTENED_SIGNATURE) {
      const advice = `convert it first with makedumpfile -R ${source.name}.kdump < ${source.name}`;
      throw new MemscopeError('UNSUPPORTED', `this is a flattened makedumpfile stream (makedumpfile -F): ${advice}`, source.name);
    }
    const header = await readKdumpHeader(source);
    const bitmapBytes = (header.bitmapBlocks * header.blockSize) / 2;
    const pages = Math.min(header.maxMapnr, bitmapBytes * 8);
    const dumpedBitmapAt = (1 + header.subHeaderBlocks) * header.blockSize + bitmapBytes;
    const dumped = await readExact(source, dumpedBitmapAt, Math.ceil(pages / 32) * 4, 'kdump bitmap of dumped pages');
    const index = new DumpedPageIndex(dumped, pages);
    const descriptorsAt = dumpedBitmapAt + bitmapBytes;
    const notes = await readNotes(source, header);
    const warnings = [...notes.warnings];
    if (pages < header.maxMapnr)
      warnings.push(`the page bitmap covers ${pages} of the ${header.maxMapnr} pages the header announces; the rest read as zeros`);
    const truncation = await checkTruncation(source, descriptorsAt, index.dumpedCount);
    if (truncation) warnings.push(truncation);
    if (header.incomplete)
      warnings.push('makedumpfile marked this dump incomplete (it ran out of space while writing): pages it did not write read as zeros');
    return new KdumpLayer(source, header, index, descriptorsAt, notes.notes, warnings, truncation !== undefined || header.incomplete);
  },
};

/** VMCOREINFO as a note of its own (as in ELF cores) plus the ELF notes (CPU state); problems become warnings. */
async function readNotes(source: ByteSource, header: KdumpHeader): Promise<{ notes: ContainerNote[]; warnings: string[] }> {
  const notes: ContainerNote[] = [];
  const warnings: string[] = [];
  const fits = (r: FileRange) => r.size > 0 && r.size <= MAX_NOTES && r.offset + r.size <= source.size;
  const outside = (what: string, r: FileRange) =>
    `the ${what} the header points to (${hex(r.offset)}, ${r.size} bytes) is outside the file or too large; ignored`;
  if (fits(header.notes)) {
    const parsed = parseElfNotes(await source.read(header.notes.offset, header.notes.size));
    notes.push(...parsed.notes.filter((n) => n.name !== 'VMCOREINFO'));
    warnings.push(...parsed.warnings);
  } else if (header.notes.size > 0) warnings.push(outside('ELF notes', header.notes));
  if (fits(header.vmcoreinfo)) notes.push({ name: 'VMCOREINFO', type: 0, desc: await source.read(header.vmcoreinfo.offset, header.vmcoreinfo.size) });
  else if (header.vmcoreinfo.size > 0) warnings.push(outside('VMCOREINFO', header.vmcoreinfo));
  return { notes, warnings };
}

/**
 * Whether the file ends before the last dumped page's descriptor or data (a cut download): a warning, or
 * TRUNCATED when not even the first descriptor is left. makedumpfile writes page data in pfn order, so the
 * last descriptor points at the end of the data.
 */
async function checkTruncation(source: ByteSource, descriptorsAt: number, dumped: number): Promise<string | undefined> {
  if (dumped === 0) return undefined;
  const inFile = Math.min(dumped, Math.max(0, Math.floor((source.size - descriptorsAt) / DESCRIPTOR)));
  if (inFile === 0) await readExact(source, descriptorsAt, DESCRIPTOR, 'kdump page descriptors');
  const last = new DataView((await source.read(descriptorsAt + (inFile - 1) * DESCRIPTOR, DESCRIPTOR)).buffer);
  const dataEnd = Number(last.getBigInt64(0, true)) + last.getUint32(8, true);
  if (inFile === dumped && dataEnd <= source.size) return undefined;
  const table = inFile < dumped ? `only ${inFile} of the ${dumped} page descriptors are in it, and ` : '';
  return `${TRUNCATED_FILE} (it ends at ${hex(source.size)}): ${table}dumped pages whose data lies past its end read as zeros`;
}

/** Which pages were dumped, and each one's descriptor index (the number of dumped pages before it). */
class DumpedPageIndex {
  private readonly words: Uint32Array;
  /** Dumped pages before each 32-page word (at most 2^31: the bitmap size is bounded). */
  private readonly before: Uint32Array;

  constructor(
    bitmap: Uint8Array,
    readonly pages: number,
  ) {
    const wordCount = Math.ceil(pages / 32);
    const dv = new DataView(bitmap.buffer, bitmap.byteOffset, bitmap.byteLength);
    this.words = new Uint32Array(wordCount);
    for (let w = 0; w < wordCount; w++) this.words[w] = dv.getUint32(w * 4, true);
    const tail = pages % 32;
    if (tail !== 0) this.words[wordCount - 1]! &= (1 << tail) - 1;
    this.before = new Uint32Array(wordCount + 1);
    for (let w = 0; w < wordCount; w++) this.before[w + 1] = this.before[w]! + popcount(this.words[w]!);
  }

  get dumpedCount(): number {
    return this.before[this.words.length]!;
  }

  /** Descriptor index of a page, or -1 when it was not dumped. */
  descriptorOf(pfn: number): number {
    if (pfn < 0 || pfn >= this.pages) return -1;
    const word = this.words[pfn >>> 5]!;
    const bit = pfn & 31;
    if (((word >>> bit) & 1) === 0) return -1;
    return this.before[pfn >>> 5]! + popcount(word & ((1 << bit) - 1));
  }

  /** Runs of consecutive dumped pages; whole empty or full words are skipped at once. */
  runs(): { first: number; count: number }[] {
    const runs: { first: number; count: number }[] = [];
    let start = -1;
    const edge = (pfn: number, set: boolean) => {
      if (set && start < 0) start = pfn;
      else if (!set && start >= 0) {
        runs.push({ first: start, count: pfn - start });
        start = -1;
      }
    };
    for (let w = 0; w < this.words.length; w++) {
      const word = this.words[w]!;
      if (word === 0 || word === 0xffffffff) edge(w * 32, word !== 0);
      else for (let bit = 0; bit < 32; bit++) edge(w * 32 + bit, ((word >>> bit) & 1) === 1);
    }
    edge(this.pages, false);
    return runs;
  }
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

interface PageDescriptor {
  readonly offset: number;
  readonly size: number;
  readonly flags: number;
}

class KdumpLayer implements PhysicalLayer {
  readonly format = 'kdump';
  readonly directMapped = false;
  readonly runs: readonly PhysicalRun[];
  readonly size: number;
  readonly capturedBytes: number;
  private readonly pageCache = new LruCache<number, Uint8Array>(PAGE_CACHE);
  private readonly descriptorBlocks = new LruCache<number, DataView>(DESCRIPTOR_CACHE);
  private readonly zero: Uint8Array;
  readonly damaged = new DamagedPages();

  constructor(
    readonly source: ByteSource,
    private readonly header: KdumpHeader,
    private readonly index: DumpedPageIndex,
    private readonly descriptorsAt: number,
    readonly notes: readonly ContainerNote[],
    readonly warnings: readonly string[],
    /** Truncated or incomplete dump: a page whose descriptor or data is missing reads as zeros, not CORRUPT. */
    private readonly missingReadsAsZero: boolean,
  ) {
    const block = header.blockSize;
    this.runs = index.runs().map((r) => ({ start: r.first * block, length: r.count * block, fileOffset: -1 }));
    this.size = index.pages * block;
    this.capturedBytes = index.dumpedCount * block;
    this.zero = new Uint8Array(block);
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const block = this.header.blockSize;
    const end = address + length;
    const first = Math.floor(address / block);
    const place = (pfn: number, page: Uint8Array) => {
      const at = pfn * block;
      const from = Math.max(address, at);
      out.set(page.subarray(from - at, Math.min(end, at + block) - at), from - address);
    };
    if (Math.ceil(end / block) - first <= CACHED_READ_PAGES) {
      for (let pfn = first; pfn * block < end; pfn++) place(pfn, await this.page(pfn));
      return out;
    }
    // Large reads (scans) bypass the page cache and fetch the data of many pages with one source read.
    let batch: { pfn: number; d: PageDescriptor }[] = [];
    let spanStart = 0;
    let spanEnd = 0;
    const flush = async () => {
      const span = await this.source.read(spanStart, spanEnd - spanStart);
      for (const { pfn, d } of batch) place(pfn, this.decode(pfn, d, span.subarray(d.offset - spanStart, d.offset - spanStart + d.size)));
      batch = [];
    };
    for (let pfn = first; pfn * block < end; pfn++) {
      const i = this.index.descriptorOf(pfn);
      if (i < 0) continue;
      const d = await this.descriptor(i);
      if (!this.usable(pfn, d)) continue;
      if (batch.length > 0 && (d.offset < spanStart || d.offset + d.size > spanStart + MAX_SPAN)) await flush();
      if (batch.length === 0) spanStart = spanEnd = d.offset;
      spanEnd = Math.max(spanEnd, d.offset + d.size);
      batch.push({ pfn, d });
    }
    if (batch.length > 0) await flush();
    return out;
  }

  private page(pfn: number): Promise<Uint8Array> {
    const descriptor = this.index.descriptorOf(pfn);
    if (descriptor < 0) return Promise.resolve(this.zero);
    return this.pageCache.get(pfn, async () => {
      const d = await this.descriptor(descriptor);
      return this.usable(pfn, d) ? this.decode(pfn, d, await this.source.read(d.offset, d.size)) : this.zero;
    });
  }

  /** Undefined when the descriptor lies past the end of the file. */
  private async descriptor(i: number): Promise<PageDescriptor | undefined> {
    const blockNo = Math.floor(i / DESCRIPTORS_PER_BLOCK);
    const view = await this.descriptorBlocks.get(blockNo, async () => {
      const start = this.descriptorsAt + blockNo * DESCRIPTORS_PER_BLOCK * DESCRIPTOR;
      const bytes = await this.source.read(start, Math.max(0, Math.min(DESCRIPTORS_PER_BLOCK * DESCRIPTOR, this.source.size - start)));
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
    const at = (i % DESCRIPTORS_PER_BLOCK) * DESCRIPTOR;
    if (at + DESCRIPTOR > view.byteLength) return undefined;
    return { offset: Number(view.getBigInt64(at, true)), size: view.getUint32(at + 8, true), flags: view.getUint32(at + 12, true) };
  }

  /**
   * Whether the page's data can be read. False when it is missing from a truncated or incomplete dump, or its
   * descriptor is damaged (noted in `damaged`): the page then reads as zeros.
   */
  private usable(pfn: number, d: PageDescriptor | undefined): d is PageDescriptor {
    const missing = d === undefined || d.offset + d.size > this.source.size || (d.offset === 0 && d.size === 0);
    if (missing && this.missingReadsAsZero) return false;
    if (d === undefined) return this.damage(pfn, 'its descriptor lies past the end of the file');
    if (d.size === 0 || d.size > this.header.blockSize || d.offset <= 0 || missing)
      return this.damage(pfn, `its descriptor points at ${d.size} bytes at file offset ${hex(d.offset)}, outside the file or larger than a page`);
    return true;
  }

  /** The page's bytes; zeros, noted in `damaged`, when its data does not decode to a page. */
  private decode(pfn: number, d: PageDescriptor, stored: Uint8Array): Uint8Array {
    try {
      return decompressPage(stored, d.flags, this.header.blockSize);
    } catch (e) {
      this.damage(pfn, e instanceof Error ? e.message : String(e));
      return this.zero;
    }
  }

  private damage(pfn: number, why: string): false {
    const address = pfn * this.header.blockSize;
    this.damaged.note(address, `page at physical ${hex(address)}: ${why}`);
    return false;
  }
}

/** One page from its stored bytes; throws (plain Error) when the data does not decode to exactly `block` bytes. */
function decompressPage(stored: Uint8Array, flags: number, block: number): Uint8Array {
  let page: Uint8Array;
  let codec = 'stored';
  try {
    if (flags & Compression.Zlib) {
      codec = 'zlib';
      // One spare byte: fflate stops silently at the end of `out`, so a full spare byte means too much data.
      page = unzlibSync(stored, { out: new Uint8Array(block + 1) });
    } else if (flags & Compression.Lzo) {
      codec = 'LZO';
      page = lzo1xDecompress(stored, block);
    } else if (flags & Compression.Snappy) {
      codec = 'snappy';
      page = snappy.uncompress(stored, block);
    } else if (flags & Compression.Zstd) {
      codec = 'zstd';
      // fzstd hands back the whole `out` buffer, so the frame's declared size is the only length check.
      const declared = zstdContentSize(stored);
      if (declared !== undefined && declared !== block) throw new Error(`the frame declares ${declared} bytes`);
      page = zstdDecompress(stored, new Uint8Array(block));
    } else page = stored;
  } catch (e) {
    throw new Error(`its ${codec} data is damaged (${e instanceof Error ? e.message : String(e)})`);
  }
  if (page.length !== block)
    throw new Error(
      `its ${codec} data holds ${page.length > block ? 'more than ' : ''}${Math.min(page.length, block)} bytes, not a ${block}-byte page`,
    );
  return page;
}

/** Frame_Content_Size of a zstd frame header (RFC 8878 3.1.1.1), undefined when the header leaves it out. */
function zstdContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 6) throw new Error('the zstd frame is shorter than its header');
  const descriptor = frame[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  const sizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!;
  if (sizeBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  if (at + sizeBytes > frame.length) throw new Error('the zstd frame is shorter than its header');
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + frame[at + i]!;
  return sizeBytes === 2 ? size + 256 : size;
}
