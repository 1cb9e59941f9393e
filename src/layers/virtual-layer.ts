import { MemscopeError } from '../errors.ts';
import { PageTableCache } from './page-table-cache.ts';
import type { PhysicalLayer } from './physical-layer.ts';
import { EnumerateCode, FLAG_WINDOWS, WalkStatus, type MemscopeWasm } from './wasm-module.ts';

export interface VirtualLayerOptions {
  /** Follow Windows transition PTEs and report prototype PTEs (see WalkStatus). */
  readonly windows: boolean;
  /** Default: the Wasm instance's shared cache (PageTableCache.of). */
  readonly cache?: PageTableCache;
}

/** Virtually and physically contiguous mapped memory. */
export interface MappedRun {
  readonly vaddr: bigint;
  readonly paddr: number;
  readonly length: number;
}

/** The full outcome of one page walk. */
export interface PageLookup {
  readonly status: WalkStatus;
  /** Physical address for `mapped` and `transition`, else null. */
  readonly paddr: number | null;
  /** 4096, 2 MiB or 1 GiB for mapped addresses, else 0. */
  readonly pageSize: number;
  /** The entry that ended an unsuccessful walk (0n if none), e.g. a prototype PTE; null when mapped. */
  readonly entry: bigint | null;
}

const PAGE = 4096;
const PAGE_BIG = 4096n;
const U64_END = 1n << 64n;
const LOW_HALF_END = 1n << 47n;
const HIGH_HALF_START = 0xffff_8000_0000_0000n;
const HIGH_INDEX_BIAS = 0xffff_0000_0000_0000n;
const INDEX_SPACE_END = 1n << 48n;
/** Largest single read: bigger reads are a caller bug or a smeared length. */
export const MAX_VIRTUAL_READ = 256 * 1024 * 1024;

const TRANSLATE_BATCH = 4096;
const RECORD = 16;
const RUN_RECORD = 32;
const RUNS_PER_CALL = 1024;
const MISSING_PER_CALL = 256;
/** Rounds in a row with no progress before enumeration gives up (cannot happen with a consistent cache). */
const MAX_STALLED_ROUNDS = 16;

/** Scratch regions in Wasm memory, shared by all layers of one instance: used only between awaits. */
interface Scratch {
  readonly vaddrs: number;
  readonly records: number;
  readonly runs: number;
  readonly missing: number;
  readonly ctl: number;
}
const scratchByInstance = new WeakMap<MemscopeWasm, Scratch>();

function scratchFor(wasm: MemscopeWasm): Scratch {
  let s = scratchByInstance.get(wasm);
  if (!s) {
    s = {
      vaddrs: wasm.alloc(TRANSLATE_BATCH * 8),
      records: wasm.alloc(TRANSLATE_BATCH * RECORD),
      runs: wasm.alloc(RUNS_PER_CALL * RUN_RECORD),
      missing: wasm.alloc(MISSING_PER_CALL * 8),
      ctl: wasm.alloc(48),
    };
    scratchByInstance.set(wasm, s);
  }
  return s;
}

/**
 * An x86-64 4-level address space (one DTB) over physical memory. Page walks run in Wasm; the
 * page-table pages they need are read in batches into a bounded cache.
 */
export class VirtualLayer {
  readonly windows: boolean;
  private readonly cache: PageTableCache;
  private readonly scratch: Scratch;
  private readonly dtbBig: bigint;
  private readonly physSize: bigint;

  constructor(
    readonly physical: PhysicalLayer,
    private readonly wasm: MemscopeWasm,
    readonly dtb: number,
    options: VirtualLayerOptions,
  ) {
    if (!Number.isSafeInteger(dtb) || dtb < 0) throw new MemscopeError('BAD_REQUEST', `invalid DTB ${dtb}`);
    this.windows = options.windows;
    this.cache = options.cache ?? PageTableCache.of(wasm);
    this.scratch = scratchFor(wasm);
    this.dtbBig = BigInt(dtb);
    this.physSize = BigInt(physical.size);
  }

  async translate(vaddr: bigint): Promise<number | null> {
    return (await this.lookupMany([vaddr]))[0]!.paddr;
  }

  async translateMany(vaddrs: readonly bigint[]): Promise<(number | null)[]> {
    return (await this.lookupMany(vaddrs)).map((r) => r.paddr);
  }

  async isMapped(vaddr: bigint): Promise<boolean> {
    return (await this.translate(vaddr)) !== null;
  }

  /** Page walks for many addresses, batched through Wasm; addresses are taken modulo 2^64. */
  async lookupMany(vaddrs: readonly bigint[]): Promise<PageLookup[]> {
    const results: PageLookup[] = [];
    for (let start = 0; start < vaddrs.length; start += TRANSLATE_BATCH) {
      const part = vaddrs.slice(start, start + TRANSLATE_BATCH);
      const addresses = BigUint64Array.from(part, (v) => BigInt.asUintN(64, v));
      const records = new Uint8Array(part.length * RECORD);
      // Each round moves at least one walk down a level, so 4 rounds per address bound the loop.
      for (let round = 0; ; round++) {
        if (round > 4 * part.length + 4) throw new MemscopeError('CORRUPT', 'page-table walk made no progress');
        const missingPages = this.runTranslate(addresses, records);
        if (missingPages.length === 0) break;
        const loaded = await this.cache.read(this.physical, missingPages);
        this.cache.insert(this.physical, loaded);
      }
      const view = new DataView(records.buffer);
      for (let i = 0; i < part.length; i++) {
        const value = view.getBigUint64(i * RECORD, true);
        const status = view.getUint32(i * RECORD + 8, true) as WalkStatus;
        const aux = view.getUint32(i * RECORD + 12, true);
        const mapped = status === WalkStatus.mapped || status === WalkStatus.transition;
        results.push({
          status,
          paddr: mapped ? Number(value) : null,
          pageSize: mapped ? 2 ** aux : 0,
          entry: mapped ? null : value,
        });
      }
    }
    return results;
  }

  /** One synchronous Wasm pass; returns the table pages still missing. */
  private runTranslate(addresses: BigUint64Array, records: Uint8Array): number[] {
    const { vaddrs, records: recs } = this.scratch;
    this.cache.use(this.physical);
    const memory = this.wasm.bytes;
    memory.set(new Uint8Array(addresses.buffer, addresses.byteOffset, addresses.byteLength), vaddrs);
    memory.set(records, recs);
    const flags = this.windows ? FLAG_WINDOWS : 0;
    const missing = this.wasm.exports.translateBatch(vaddrs, recs, addresses.length, this.dtbBig, flags, this.physSize);
    records.set(memory.subarray(recs, recs + records.length));
    if (missing === 0) return [];
    const view = new DataView(records.buffer);
    const pages: number[] = [];
    for (let i = 0; i < addresses.length; i++) {
      if (view.getUint32(i * RECORD + 8, true) === WalkStatus.missing) {
        pages.push(Number(view.getBigUint64(i * RECORD, true) >> 12n));
      }
    }
    return pages;
  }

  /** The bytes at [vaddr, vaddr + length), or null if any page of it is not mapped. */
  async read(vaddr: bigint, length: number): Promise<Uint8Array | null> {
    return this.readPages(vaddr, length, false);
  }

  /** Like `read`, but unmapped pages read as zeros. */
  async readPadded(vaddr: bigint, length: number): Promise<Uint8Array> {
    return (await this.readPages(vaddr, length, true))!;
  }

  async readU64(vaddr: bigint): Promise<bigint | null> {
    const b = await this.read(vaddr, 8);
    return b && new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  async readU32(vaddr: bigint): Promise<number | null> {
    const b = await this.read(vaddr, 4);
    return b && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  async readU16(vaddr: bigint): Promise<number | null> {
    const b = await this.read(vaddr, 2);
    return b && new DataView(b.buffer, b.byteOffset, 2).getUint16(0, true);
  }

  private async readPages(vaddr: bigint, length: number, padded: boolean): Promise<Uint8Array | null> {
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_VIRTUAL_READ) {
      throw new MemscopeError('BAD_REQUEST', `invalid virtual read length ${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    const start = BigInt.asUintN(64, vaddr);
    const inPage = Number(start % PAGE_BIG);
    const pageCount = Math.ceil((inPage + length) / PAGE);
    const firstPage = start - BigInt(inPage);
    const pageAddresses: bigint[] = [];
    for (let i = 0; i < pageCount; i++) pageAddresses.push(firstPage + BigInt(i) * PAGE_BIG);
    // Pages past 2^64 do not exist: they stay unmapped.
    const inRange = pageAddresses.filter((p) => p < U64_END);
    const frames: (number | null)[] = await this.translateMany(inRange);
    while (frames.length < pageCount) frames.push(null);
    if (!padded && frames.includes(null)) return null;

    // Pieces: maximal spans of the result whose pages are physically contiguous.
    const pieces: { at: number; paddr: number; length: number }[] = [];
    for (let i = 0; i < pageCount; i++) {
      const frame = frames[i]!;
      if (frame === null) continue;
      const at = i === 0 ? 0 : i * PAGE - inPage;
      const paddr = i === 0 ? frame + inPage : frame;
      const pieceLength = Math.min(length, (i + 1) * PAGE - inPage) - at;
      const last = pieces[pieces.length - 1];
      if (last && last.at + last.length === at && last.paddr + last.length === paddr) last.length += pieceLength;
      else pieces.push({ at, paddr, length: pieceLength });
    }
    const data = await Promise.all(pieces.map((p) => this.physical.read(p.paddr, p.length)));
    if (pieces.length === 1 && pieces[0]!.length === length && data[0]!.length === length) return data[0]!;
    const out = new Uint8Array(length);
    pieces.forEach((p, i) => out.set(data[i]!.subarray(0, p.length), p.at));
    return out;
  }

  /**
   * Mapped memory in [start, end) in address order: large pages as single runs, 4 KiB pages merged
   * while virtually and physically contiguous. Non-canonical addresses are skipped.
   */
  async *mappedRuns(start: bigint, end: bigint, opts: { readonly signal?: { readonly aborted: boolean } } = {}): AsyncIterable<MappedRun> {
    let cursor = toIndex(start);
    const stop = toIndex(end);
    let pending: EnumeratedRun | null = null;
    let stalled = 0;
    while (cursor < stop) {
      if (opts.signal?.aborted) throw new MemscopeError('CANCELLED', 'enumeration of mapped pages cancelled');
      const { code, next, runs, missing, path } = this.runEnumerate(cursor, stop);
      for (const run of runs) {
        if (
          pending &&
          pending.small &&
          run.small &&
          pending.vaddr + BigInt(pending.length) === run.vaddr &&
          pending.paddr + pending.length === run.paddr
        ) {
          pending = { vaddr: pending.vaddr, paddr: pending.paddr, length: pending.length + run.length, small: true };
          continue;
        }
        if (pending) yield strip(pending);
        pending = run;
      }
      stalled = next === cursor && runs.length === 0 ? stalled + 1 : 0;
      if (stalled > MAX_STALLED_ROUNDS) throw new MemscopeError('CORRUPT', 'page-table enumeration made no progress');
      cursor = next;
      if (code === EnumerateCode.missing) {
        const loaded = await this.cache.read(this.physical, missing, path.length);
        this.cache.insert(this.physical, loaded, path);
      }
    }
    if (pending) yield strip(pending);
  }

  /** One synchronous Wasm enumeration call from index `cursor`. */
  private runEnumerate(cursor: bigint, stop: bigint) {
    const s = this.scratch;
    this.cache.use(this.physical);
    const flags = this.windows ? FLAG_WINDOWS : 0;
    const code = this.wasm.exports.enumerate(
      this.dtbBig,
      flags,
      this.physSize,
      cursor,
      stop,
      s.runs,
      RUNS_PER_CALL,
      s.missing,
      MISSING_PER_CALL,
      s.ctl,
    );
    const view = this.wasm.view;
    const next = view.getBigUint64(s.ctl, true);
    const runCount = view.getUint32(s.ctl + 8, true);
    const missingCount = view.getUint32(s.ctl + 12, true);
    const runs: EnumeratedRun[] = [];
    for (let i = 0; i < runCount; i++) {
      const r = s.runs + i * RUN_RECORD;
      runs.push({
        vaddr: view.getBigUint64(r, true),
        paddr: Number(view.getBigUint64(r + 8, true)),
        length: Number(view.getBigUint64(r + 16, true)),
        small: view.getUint32(r + 24, true) === 12,
      });
    }
    const missing: number[] = [];
    for (let i = 0; i < missingCount; i++) missing.push(Number(view.getBigUint64(s.missing + i * 8, true)));
    const path: number[] = [];
    const pathCount = view.getUint32(s.ctl + 16, true);
    for (let i = 0; i < pathCount; i++) path.push(Number(view.getBigUint64(s.ctl + 24 + i * 8, true)));
    return { code, next, runs, missing, path };
  }
}

/** A run as the Wasm enumerator reports it; only runs of 4 KiB pages (`small`) merge. */
interface EnumeratedRun extends MappedRun {
  readonly small: boolean;
}

function strip(run: MappedRun): MappedRun {
  return { vaddr: run.vaddr, paddr: run.paddr, length: run.length };
}

/** Position in the 48-bit index space the Wasm enumerator walks (high half above 2^47). */
function toIndex(address: bigint): bigint {
  if (address < 0n) throw new MemscopeError('BAD_REQUEST', `negative virtual address ${address}`);
  if (address <= LOW_HALF_END) return address;
  if (address < HIGH_HALF_START) return LOW_HALF_END;
  if (address >= U64_END) return INDEX_SPACE_END;
  return address - HIGH_INDEX_BIAS;
}
