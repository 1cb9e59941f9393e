import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { readExact } from '../io/read-exact.ts';
import type { OsHints, PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { RunMappedLayer } from '../layers/run-mapped-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { TruncationTally } from './truncation.ts';

/*
 * Layout of a 64-bit Windows kernel crash dump, as read here (all little-endian). Sources: Volatility 3
 * volatility3/framework/symbols/windows/crash64.json (_DUMP_HEADER64, _PHYSICAL_MEMORY_DESCRIPTOR64) and
 * crash_common.json (_SUMMARY_DUMP), layers/crash.py (commit a196140); kdmp-parser src/lib/kdmp-parser-structs.h
 * (HEADER64, PHYSMEM_DESC, BMP_HEADER64, with offset asserts); MoonSols/Magnet Bin2Dmp dmp.h
 * (PHYSICAL_MEMORY_DESCRIPTOR64 with a ULONG64 NumberOfPages, so 4 bytes of padding before it).
 *
 * DUMP_HEADER64, 0x2000 bytes at file offset 0; Windows fills unused fields with "PAGE":
 *   0x000 Signature "PAGE"      0x004 ValidDump "DU64"      0x008 MajorVersion  0x00c MinorVersion (build)
 *   0x010 DirectoryTableBase    0x018 PfnDataBase           0x020 PsLoadedModuleList   0x028 PsActiveProcessHead
 *   0x030 MachineImageType      0x034 NumberProcessors      0x080 KdDebuggerDataBlock
 *   0x088 PhysicalMemoryBlockBuffer[700]: NumberOfRuns u32 @+0, NumberOfPages u64 @+8,
 *         Run[] @+0x10, each { BasePage u64, PageCount u64 }
 *   0x348 ContextRecord   0xf00 Exception   0xf98 DumpType u32   0xfa8 SystemTime
 * Full dump (DumpType 1): the pages of each run follow the header (from 0x2000), runs in header order.
 * Bitmap dump (DumpType 5; 6 = live kernel dump, same header per kdmp-parser), bitmap header at 0x2000:
 *   +0x00 "SDMP" (kernel) or "FDMP" (full)   +0x04 "DUMP"   +0x20 FirstPage (file offset of the first
 *   present page)   +0x28 TotalPresentPages   +0x30 Pages (bits in the bitmap)   +0x38 bitmap, bit n set =
 *   page n is in the file; present pages follow one another from FirstPage in page order.
 */
const PAGE_SIZE = 0x1000;
const HEADER_SIZE = 0x2000;
const SIGNATURE_PAGE = 0x45474150;
const VALID_DUMP_64 = 0x34365544;
const FIELD = {
  directoryTableBase: 0x10,
  psLoadedModuleList: 0x20,
  psActiveProcessHead: 0x28,
  memoryDescriptor: 0x88,
  dumpType: 0xf98,
} as const;
/** _PHYSICAL_MEMORY_DESCRIPTOR64 fields (NumberOfRuns is at +0). */
const DESCRIPTOR_FIELD = { numberOfPages: 0x8, runs: 0x10 } as const;
const RUN_SIZE = 0x10;
/** Runs that fit the 700-byte PhysicalMemoryBlockBuffer after its 0x10-byte head: (700 - 0x10) / 0x10. */
const MAX_RUNS = 42;
const BITMAP_HEADER_SIZE = 0x38;
const BITMAP_FIELD = { firstPage: 0x20, totalPresentPages: 0x28, pages: 0x30 } as const;
const BITMAP_SIGNATURES = new Set([0x504d4453 /* SDMP */, 0x504d4446 /* FDMP */]);
const BITMAP_VALID_DUMP = 0x504d5544; // "DUMP"
/** 2^30 pages = 4 TiB of RAM (a 128 MiB bitmap); a larger count is taken for corruption rather than read into memory. */
const MAX_BITMAP_PAGES = 2 ** 30;
/** x64 physical addresses have at most 52 bits. */
const PHYSICAL_LIMIT = 2 ** 52;
const KERNEL_HALF = 0xffff800000000000n;

const DUMP_TYPE_FULL = 1;
const DUMP_TYPES_BITMAP = new Set([5, 6]);
const DUMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  2: 'a kernel summary dump',
  3: 'a header-only dump',
  4: 'a small memory dump (minidump / triage)',
  8: 'a kernel memory dump (RDMP)',
  9: 'a kernel and user memory dump (RDMP)',
  10: 'a complete memory dump (RDMP)',
};

/** Physical pages [firstPage, firstPage + pageCount) stored one after another. */
interface PageRange {
  readonly firstPage: number;
  readonly pageCount: number;
}

interface DumpLayout {
  readonly ranges: Iterable<PageRange>;
  /** File offset of the first range's data. */
  readonly dataOffset: number;
  /** Highest physical page + 1 the dump describes. */
  readonly pageLimit: number;
  readonly rangeName: string;
  readonly warnings: string[];
}

const ascii4 = (value: number): string => String.fromCharCode(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24);

/** A u64 as a number, or undefined at or beyond `limit` (defaults to 2^53). */
function u64(view: DataView, at: number, limit = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = view.getBigUint64(at, true);
  return value < BigInt(limit) ? Number(value) : undefined;
}

function corrupt(source: ByteSource, why: string): never {
  throw new MemscopeError('CORRUPT', why, source.name);
}

function checkSignature(header: DataView, source: ByteSource): void {
  const signature = header.getUint32(0, true);
  const valid = header.getUint32(4, true);
  if (signature !== SIGNATURE_PAGE || valid !== VALID_DUMP_64) {
    corrupt(source, `not a 64-bit Windows crash dump: signature "${ascii4(signature)}${ascii4(valid)}", expected "PAGEDU64"`);
  }
}

/** What the header tells the OS layer; fields still holding the "PAGE" filler fail the range checks. */
function osHints(header: DataView): OsHints {
  const hints: { dtb?: number; psActiveProcessHead?: bigint; psLoadedModuleList?: bigint } = {};
  const cr3 = header.getBigUint64(FIELD.directoryTableBase, true) & ~0xfffn;
  if (cr3 !== 0n && cr3 < BigInt(PHYSICAL_LIMIT)) hints.dtb = Number(cr3);
  const psActiveProcessHead = header.getBigUint64(FIELD.psActiveProcessHead, true);
  if (psActiveProcessHead >= KERNEL_HALF) hints.psActiveProcessHead = psActiveProcessHead;
  const psLoadedModuleList = header.getBigUint64(FIELD.psLoadedModuleList, true);
  if (psLoadedModuleList >= KERNEL_HALF) hints.psLoadedModuleList = psLoadedModuleList;
  return hints;
}

/** DumpType 1: the runs of the header's physical memory descriptor, stored in order after the header. */
function fullDumpLayout(header: DataView, source: ByteSource): DumpLayout {
  const at = FIELD.memoryDescriptor;
  const count = header.getUint32(at, true);
  if (count === SIGNATURE_PAGE) corrupt(source, 'full crash dump without a physical memory descriptor (its field holds the "PAGE" filler)');
  if (count === 0) corrupt(source, 'the physical memory descriptor lists no runs, so no memory');
  if (count > MAX_RUNS) corrupt(source, `implausible number of physical memory runs (${count}; the header holds at most ${MAX_RUNS})`);
  const ranges: PageRange[] = [];
  let pageLimit = 0;
  let pages = 0;
  for (let i = 0; i < count; i++) {
    const run = at + DESCRIPTOR_FIELD.runs + i * RUN_SIZE;
    const firstPage = u64(header, run, PHYSICAL_LIMIT / PAGE_SIZE);
    const pageCount = u64(header, run + 8, PHYSICAL_LIMIT / PAGE_SIZE);
    if (firstPage === undefined || pageCount === undefined || firstPage + pageCount > PHYSICAL_LIMIT / PAGE_SIZE) {
      corrupt(
        source,
        `physical memory run ${i} (base page ${hex(header.getBigUint64(run, true))}, ${header.getBigUint64(run + 8, true)} pages) lies beyond 2^52`,
      );
    }
    ranges.push({ firstPage, pageCount });
    pageLimit = Math.max(pageLimit, firstPage + pageCount);
    pages += pageCount;
  }
  const declared = header.getBigUint64(at + DESCRIPTOR_FIELD.numberOfPages, true);
  const warnings =
    declared === BigInt(pages) ? [] : [`the physical memory descriptor declares ${declared} pages but its runs hold ${pages}; the runs are used`];
  return { ranges, dataOffset: HEADER_SIZE, pageLimit, rangeName: 'physical memory run', warnings };
}

/** Consecutive set bits of `bitmap` (bit n = byte n/8, bit n%8) among its first `bits`. */
function* presentRanges(bitmap: Uint8Array, bits: number): Generator<PageRange> {
  let start = -1;
  for (let index = 0; index < bitmap.length; index++) {
    const byte = bitmap[index]!;
    const base = index * 8;
    if ((byte === 0 && start < 0) || (byte === 0xff && start >= 0 && base + 8 <= bits)) continue;
    for (let bit = 0; bit < 8 && base + bit < bits; bit++) {
      const present = (byte >> bit) & 1;
      if (present && start < 0) start = base + bit;
      else if (!present && start >= 0) {
        yield { firstPage: start, pageCount: base + bit - start };
        start = -1;
      }
    }
  }
  if (start >= 0) yield { firstPage: start, pageCount: bits - start };
}

/** DumpType 5/6: the bitmap header at 0x2000 and its bitmap of the pages stored from FirstPage on. */
async function bitmapDumpLayout(source: ByteSource): Promise<DumpLayout> {
  const head = await readExact(source, HEADER_SIZE, BITMAP_HEADER_SIZE, 'bitmap dump header');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const signature = view.getUint32(0, true);
  const valid = view.getUint32(4, true);
  if (!BITMAP_SIGNATURES.has(signature) || valid !== BITMAP_VALID_DUMP) {
    corrupt(
      source,
      `bitmap dump header at ${hex(HEADER_SIZE)} has signature "${ascii4(signature)}${ascii4(valid)}", expected "SDMPDUMP" or "FDMPDUMP"`,
    );
  }
  const bits = u64(view, BITMAP_FIELD.pages, MAX_BITMAP_PAGES + 1);
  if (bits === undefined)
    corrupt(source, `implausible bitmap size (${view.getBigUint64(BITMAP_FIELD.pages, true)} pages, limit ${MAX_BITMAP_PAGES})`);
  if (bits === 0) corrupt(source, 'the page bitmap describes no pages, so no memory');
  const bitmapAt = HEADER_SIZE + BITMAP_HEADER_SIZE;
  const bitmapBytes = Math.ceil(bits / 8);
  const bitmap = await readExact(source, bitmapAt, bitmapBytes, `page bitmap (${bits} pages)`);
  const firstPage = u64(view, BITMAP_FIELD.firstPage);
  const firstPageAt = hex(view.getBigUint64(BITMAP_FIELD.firstPage, true));
  if (firstPage === undefined) corrupt(source, `the first page's file offset ${firstPageAt} lies beyond 2^53`);
  if (firstPage < bitmapAt + bitmapBytes) {
    corrupt(
      source,
      `the first page's file offset ${firstPageAt} lies inside the header or the page bitmap (which ends at ${hex(bitmapAt + bitmapBytes)})`,
    );
  }
  let present = 0;
  for (const range of presentRanges(bitmap, bits)) present += range.pageCount;
  const declared = view.getBigUint64(BITMAP_FIELD.totalPresentPages, true);
  const warnings =
    declared === BigInt(present) ? [] : [`the bitmap header declares ${declared} present pages but the bitmap marks ${present}; the bitmap is used`];
  return { ranges: presentRanges(bitmap, bits), dataOffset: firstPage, pageLimit: bits, rangeName: 'run of present pages', warnings };
}

function unsupportedDumpType(dumpType: number, source: ByteSource): never {
  const what = DUMP_TYPE_NAMES[dumpType] ?? `of unknown dump type ${dumpType}`;
  throw new MemscopeError(
    'UNSUPPORTED',
    `this crash dump is ${what}; only full (DumpType 1) and bitmap (DumpType 5) dumps are supported`,
    source.name,
  );
}

/**
 * 64-bit Windows kernel crash dump ("PAGEDU64": MEMORY.DMP after a bugcheck, DumpIt/WinPmem/Magnet RAM
 * Capture .dmp output): full dumps (runs from the header's physical memory descriptor) and bitmap dumps
 * (complete or kernel+user "active" dumps). The header's DTB and kernel globals become `hints` for discovery.
 */
export const windowsCrashDumpFormat: ContainerFormat = {
  id: 'crashdump',
  description: 'Windows crash dump (64-bit, full or bitmap)',

  probe(head) {
    if (head.length < 8) return 0;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    return view.getUint32(0, true) === SIGNATURE_PAGE && view.getUint32(4, true) === VALID_DUMP_64 ? 1 : 0;
  },

  async open(source): Promise<PhysicalLayer> {
    const bytes = await readExact(source, 0, HEADER_SIZE, 'crash dump header');
    const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkSignature(header, source);
    const dumpType = header.getUint32(FIELD.dumpType, true);
    let layout: DumpLayout;
    if (dumpType === DUMP_TYPE_FULL) layout = fullDumpLayout(header, source);
    else if (DUMP_TYPES_BITMAP.has(dumpType)) layout = await bitmapDumpLayout(source);
    else unsupportedDumpType(dumpType, source);

    const tally = new TruncationTally(source, layout.rangeName);
    const runs: PhysicalRun[] = [];
    let fileOffset = layout.dataOffset;
    for (const range of layout.ranges) {
      const length = range.pageCount * PAGE_SIZE;
      // Runs wholly past the end of the file are only counted: a hostile bitmap must not allocate per bit.
      const available = tally.clip(fileOffset, length);
      if (available > 0) runs.push({ start: range.firstPage * PAGE_SIZE, length: available, fileOffset });
      fileOffset += length;
    }
    tally.throwIfNothingLeft();
    return new RunMappedLayer({
      format: 'crashdump',
      source,
      runs,
      size: layout.pageLimit * PAGE_SIZE,
      hints: osHints(header),
      warnings: [...tally.warnings(), ...layout.warnings],
    });
  },
};
