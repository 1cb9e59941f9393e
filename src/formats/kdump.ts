import { unzlibSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import snappy from 'snappyjs';
import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { readExact } from '../io/read-exact.ts';
import type { ContainerNote, PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { LruCache } from './aff4/lru-cache.ts';
import type { ContainerFormat } from './container-format.ts';
import { parseElfNotes } from './elf-notes.ts';
import { lzo1xDecompress } from './lzo1x.ts';

const SIGNATURE = 'KDUMP   ';
const FLATTENED = 'makedumpfile';
const DESCRIPTOR = 24;
/** Descriptors read per block: 4096 × 24 bytes. */
const DESCRIPTORS_PER_BLOCK = 4096;
const PAGE_CACHE = 256;
const DESCRIPTOR_CACHE = 16;
/** 2^40 pages = 4 PiB at 4 KiB: more than any x86-64 machine addresses. */
const MAX_PAGES = 2 ** 40;
const MAX_BITMAP_BYTES = 512 * 1024 * 1024;
const MAX_NOTES = 16 * 1024 * 1024;

const enum Compression {
  Zlib = 0x1,
  Lzo = 0x2,
  Snappy = 0x4,
  Zstd = 0x20,
}

interface KdumpHeader {
  readonly version: number;
  readonly blockSize: number;
  readonly subHeaderBlocks: number;
  readonly bitmapBlocks: number;
  readonly maxMapnr: number;
  readonly vmcoreinfo: { readonly offset: number; readonly size: number };
  readonly notes: { readonly offset: number; readonly size: number };
}

/**
 * makedumpfile's kdump-compressed format ("KDUMP   ", also written by QEMU dump-guest-memory -z): a header,
 * a sub-header with VMCOREINFO and ELF notes, two page bitmaps (valid / dumped) and one descriptor per dumped
 * page pointing at its zlib / LZO / snappy / zstd or stored data. The sub-header's phys_base is not used (QEMU
 * writes garbage there); Linux discovery takes phys_base from VMCOREINFO.
 */
export const kdumpFormat: ContainerFormat = {
  id: 'kdump',
  description: 'kdump-compressed dump (makedumpfile, QEMU dump-guest-memory -z)',

  probe(head) {
    if (ascii(head, 0, 8) === SIGNATURE) return 1;
    return ascii(head, 0, FLATTENED.length) === FLATTENED ? 0.9 : 0;
  },

  async open(source: ByteSource): Promise<PhysicalLayer> {
    if (ascii(await readExact(source, 0, 12, 'kdump signature'), 0, FLATTENED.length) === FLATTENED) {
      throw new MemscopeError('UNSUPPORTED', `this is a flattened makedumpfile stream: convert it first with makedumpfile -R ${source.name}.kdump < ${source.name}`, source.name);
    }
    const header = await readHeader(source);
    const bitmapBytes = (header.bitmapBlocks * header.blockSize) / 2;
    const bitmapsAt = (1 + header.subHeaderBlocks) * header.blockSize;
    const dumped = await readExact(source, bitmapsAt + bitmapBytes, bitmapBytes, 'kdump page bitmap');
    const pages = Math.min(header.maxMapnr, bitmapBytes * 8);
    const index = new DumpedPageIndex(dumped, pages);
    const notes = await readNotes(source, header);
    const warnings = [...notes.warnings];
    if (pages < header.maxMapnr) warnings.push(`the page bitmap covers ${pages} of the ${header.maxMapnr} pages the header announces; the rest read as zeros`);
    return new KdumpLayer(source, header, index, (bitmapsAt + bitmapBytes * 2), notes.notes, warnings);
  },
};

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

async function readHeader(source: ByteSource): Promise<KdumpHeader> {
  const head = new DataView((await readExact(source, 0, 464, 'kdump header')).buffer);
  const corrupt = (why: string) => new MemscopeError('CORRUPT', `kdump header: ${why}`, source.name);
  const version = head.getInt32(8, true);
  const blockSize = head.getInt32(428, true);
  const subHeaderBlocks = head.getInt32(432, true);
  const bitmapBlocks = head.getUint32(436, true);
  let maxMapnr = head.getUint32(440, true);
  if (blockSize < 1024 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) throw corrupt(`block size ${blockSize} is not a page size`);
  if (subHeaderBlocks < 1 || subHeaderBlocks > 1024) throw corrupt(`sub-header size ${subHeaderBlocks} blocks is implausible`);
  if (bitmapBlocks === 0 || bitmapBlocks % 2 !== 0 || bitmapBlocks * blockSize > MAX_BITMAP_BYTES) throw corrupt(`bitmap size ${bitmapBlocks} blocks is implausible`);
  if (version < 1 || version > 64) throw corrupt(`header version ${version} is unknown`);
  const sub = new DataView((await readExact(source, blockSize, 104, 'kdump sub-header')).buffer);
  const field = (at: number) => Number(sub.getBigUint64(at, true));
  if (version >= 6) {
    const wide = sub.getBigUint64(96, true);
    if (wide > 0n && wide <= BigInt(MAX_PAGES)) maxMapnr = Number(wide);
  }
  return {
    version,
    blockSize,
    subHeaderBlocks,
    bitmapBlocks,
    maxMapnr,
    vmcoreinfo: version >= 3 ? { offset: field(32), size: field(40) } : { offset: 0, size: 0 },
    notes: version >= 4 ? { offset: field(48), size: field(56) } : { offset: 0, size: 0 },
  };
}

/** VMCOREINFO as a note of its own (as in ELF cores) plus the ELF notes (CPU state); problems become warnings. */
async function readNotes(source: ByteSource, header: KdumpHeader): Promise<{ notes: ContainerNote[]; warnings: string[] }> {
  const notes: ContainerNote[] = [];
  const warnings: string[] = [];
  const fits = (r: { offset: number; size: number }) => r.size > 0 && r.size <= MAX_NOTES && r.offset + r.size <= source.size;
  if (fits(header.notes)) {
    const parsed = parseElfNotes(await source.read(header.notes.offset, header.notes.size));
    notes.push(...parsed.notes.filter((n) => n.name !== 'VMCOREINFO'));
    warnings.push(...parsed.warnings);
  }
  if (fits(header.vmcoreinfo)) notes.push({ name: 'VMCOREINFO', type: 0, desc: await source.read(header.vmcoreinfo.offset, header.vmcoreinfo.size) });
  else if (header.vmcoreinfo.size > 0) warnings.push(`the VMCOREINFO the header points to (${hex(header.vmcoreinfo.offset)}, ${header.vmcoreinfo.size} bytes) is outside the file`);
  return { notes, warnings };
}

/** Which pages were dumped, and each one's descriptor index (the number of dumped pages before it). */
class DumpedPageIndex {
  /** Dumped pages before each 64-page word. */
  private readonly before: Float64Array;
  private readonly words: Uint32Array;

  constructor(
    bitmap: Uint8Array,
    readonly pages: number,
  ) {
    const wordCount = Math.ceil(pages / 32);
    this.words = new Uint32Array(wordCount);
    const dv = new DataView(bitmap.buffer, bitmap.byteOffset, bitmap.byteLength);
    for (let w = 0; w < wordCount; w++) this.words[w] = w * 4 + 4 <= bitmap.length ? dv.getUint32(w * 4, true) : 0;
    this.before = new Float64Array(wordCount + 1);
    for (let w = 0; w < wordCount; w++) this.before[w + 1] = this.before[w]! + popcount(this.words[w]!);
  }

  get dumpedCount(): number {
    return this.before[this.words.length]!;
  }

  /** Descriptor index of a page, or -1 when it was not dumped. */
  descriptorOf(pfn: number): number {
    if (pfn >= this.pages) return -1;
    const word = this.words[pfn >>> 5]!;
    const bit = pfn & 31;
    if (((word >>> bit) & 1) === 0) return -1;
    return this.before[pfn >>> 5]! + popcount(word & ((1 << bit) - 1));
  }

  /** Runs of consecutive dumped pages. */
  runs(): { first: number; count: number }[] {
    const runs: { first: number; count: number }[] = [];
    let start = -1;
    for (let pfn = 0; pfn <= this.pages; pfn++) {
      const set = pfn < this.pages && ((this.words[pfn >>> 5]! >>> (pfn & 31)) & 1) === 1;
      if (set && start < 0) start = pfn;
      else if (!set && start >= 0) {
        runs.push({ first: start, count: pfn - start });
        start = -1;
      }
    }
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

  constructor(
    readonly source: ByteSource,
    private readonly header: KdumpHeader,
    private readonly index: DumpedPageIndex,
    private readonly descriptorsAt: number,
    readonly notes: readonly ContainerNote[],
    readonly warnings: readonly string[],
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
    for (let at = address; at < address + length; ) {
      const pfn = Math.floor(at / block);
      const inPage = at - pfn * block;
      const n = Math.min(block - inPage, address + length - at);
      const page = await this.page(pfn);
      out.set(page.subarray(inPage, inPage + n), at - address);
      at += n;
    }
    return out;
  }

  private page(pfn: number): Promise<Uint8Array> {
    const descriptor = this.index.descriptorOf(pfn);
    if (descriptor < 0) return Promise.resolve(this.zero);
    return this.pageCache.get(pfn, async () => this.decode(pfn, await this.descriptor(descriptor)));
  }

  private async descriptor(i: number): Promise<PageDescriptor> {
    const blockNo = Math.floor(i / DESCRIPTORS_PER_BLOCK);
    const view = await this.descriptorBlocks.get(blockNo, async () => {
      const start = this.descriptorsAt + blockNo * DESCRIPTORS_PER_BLOCK * DESCRIPTOR;
      const bytes = await this.source.read(start, Math.max(0, Math.min(DESCRIPTORS_PER_BLOCK * DESCRIPTOR, this.source.size - start)));
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
    const at = (i % DESCRIPTORS_PER_BLOCK) * DESCRIPTOR;
    if (at + DESCRIPTOR > view.byteLength) throw this.corrupt(`the descriptor of dumped page ${i} lies past the end of the file (truncated?)`);
    return { offset: Number(view.getBigInt64(at, true)), size: view.getUint32(at + 8, true), flags: view.getUint32(at + 12, true) };
  }

  private async decode(pfn: number, d: PageDescriptor): Promise<Uint8Array> {
    const block = this.header.blockSize;
    const where = `page at physical ${hex(pfn * block)}`;
    if (d.size === 0 || d.size > block || d.offset < 0 || d.offset + d.size > this.source.size) {
      throw this.corrupt(`${where}: descriptor points at ${d.size} bytes at file offset ${hex(d.offset)}, outside the file or larger than a page`);
    }
    const stored = await this.source.read(d.offset, d.size);
    let page: Uint8Array;
    try {
      if (d.flags & Compression.Zlib) page = unzlibSync(stored, { out: new Uint8Array(block) });
      else if (d.flags & Compression.Lzo) page = lzo1xDecompress(stored, block);
      else if (d.flags & Compression.Snappy) page = snappy.uncompress(stored, block) as Uint8Array;
      else if (d.flags & Compression.Zstd) page = zstdDecompress(stored, new Uint8Array(block));
      else page = stored;
    } catch (e) {
      throw this.corrupt(`${where}: compressed data is damaged (${e instanceof Error ? e.message : String(e)})`);
    }
    if (page.length !== block) throw this.corrupt(`${where}: decompresses to ${page.length} bytes, not ${block}`);
    return page;
  }

  private corrupt(why: string): MemscopeError {
    return new MemscopeError('CORRUPT', `kdump: ${why}`, this.source.name);
  }
}
