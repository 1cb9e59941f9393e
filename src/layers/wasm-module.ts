import { MemscopeError } from '../errors.ts';

/** Status of one translation record, as assembly/paging.ts numbers them (checked on load: MIRRORED_CODES). */
export const WalkStatus = {
  pending: 0,
  mapped: 1,
  /** Windows: valid bit clear, transition bit set — the frame still holds the data. */
  transition: 2,
  notPresent: 3,
  /** Windows: a prototype PTE; the data lives elsewhere and is not followed. */
  prototype: 4,
  nonCanonical: 5,
  /** The walk needs a page-table page the cache does not hold (value = its physical address). */
  missing: 6,
} as const;
export type WalkStatus = (typeof WalkStatus)[keyof typeof WalkStatus];

/** Result code of `enumerate`, as assembly/paging.ts numbers them (checked on load). */
export const EnumerateCode = { done: 0, missing: 1, outputFull: 2, budget: 3 } as const;
export type EnumerateCode = (typeof EnumerateCode)[keyof typeof EnumerateCode];

/** Bit of the `flags` argument of the paging functions. */
export const FLAG_WINDOWS = 1;

/** Raw exports of build/memscope.wasm (pointers and sizes are byte offsets into `memory`). */
export interface MemscopeExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  ptcRegionSize(capacity: number): number;
  ptcInit(base: number, capacity: number): void;
  ptcClear(): void;
  ptcClearExcept(pages: number, n: number): void;
  ptcFree(): number;
  ptcInsert(page: bigint): number;
  translateBatch(vaddrs: number, records: number, n: number, dtb: bigint, flags: number, physSize: bigint): number;
  enumerate(
    dtb: bigint,
    flags: number,
    physSize: bigint,
    cursor: bigint,
    end: bigint,
    out: number,
    outCap: number,
    missing: number,
    missingCap: number,
    ctl: number,
  ): EnumerateCode;
  scanTags(
    data: number,
    len: number,
    first: number,
    stride: number,
    limit: number,
    tags: number,
    ntags: number,
    out: number,
    cap: number,
    ctl: number,
  ): number;
  scanBytes(data: number, len: number, start: number, limit: number, patterns: number, npat: number, out: number, cap: number, ctl: number): number;
}

/** The module's exported globals for the codes above: a module built from other sources is refused on load. */
export const MIRRORED_CODES: Readonly<Record<string, number>> = {
  FLAG_WINDOWS,
  WALK_PENDING: WalkStatus.pending,
  WALK_MAPPED: WalkStatus.mapped,
  WALK_TRANSITION: WalkStatus.transition,
  WALK_NOT_PRESENT: WalkStatus.notPresent,
  WALK_PROTOTYPE: WalkStatus.prototype,
  WALK_NON_CANONICAL: WalkStatus.nonCanonical,
  WALK_MISSING: WalkStatus.missing,
  ENUM_DONE: EnumerateCode.done,
  ENUM_MISSING: EnumerateCode.missing,
  ENUM_OUTPUT_FULL: EnumerateCode.outputFull,
  ENUM_BUDGET: EnumerateCode.budget,
};

const WASM_PAGE = 65536;
const REQUIRED_EXPORTS = [
  'memory',
  'heapBase',
  'ptcRegionSize',
  'ptcInit',
  'ptcClear',
  'ptcClearExcept',
  'ptcFree',
  'ptcInsert',
  'translateBatch',
  'enumerate',
  'scanTags',
  'scanBytes',
] as const;

interface Block {
  readonly ptr: number;
  readonly size: number;
}

/**
 * One Wasm instance and its linear memory. JS owns the memory layout: `alloc`/`free` hand out
 * regions above the module's static data. Views are re-created whenever the memory has grown
 * (growth detaches the old ArrayBuffer), so take `bytes`/`view` again after anything that allocates.
 */
export class MemscopeWasm {
  private buffer: ArrayBuffer;
  private u8: Uint8Array;
  private dv: DataView;
  private top: number;
  /** Free blocks below `top`, sorted by address, never adjacent (they are merged). */
  private readonly freeBlocks: Block[] = [];
  private readonly allocated = new Map<number, number>();

  constructor(readonly exports: MemscopeExports) {
    this.buffer = exports.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
    this.top = alignUp(exports.heapBase(), 64);
  }

  get memory(): WebAssembly.Memory {
    return this.exports.memory;
  }

  /** All of linear memory as bytes (current after growth). */
  get bytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  /** All of linear memory as a DataView (current after growth). */
  get view(): DataView {
    this.refresh();
    return this.dv;
  }

  /** Reserves `size` bytes aligned to `align` (a power of two ≤ 64 KiB); grows memory if needed. */
  alloc(size: number, align = 16): number {
    if (!(size > 0) || !Number.isSafeInteger(size)) throw new MemscopeError('BAD_REQUEST', `invalid Wasm allocation size ${size}`);
    const need = alignUp(size, 16);
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const block = this.freeBlocks[i]!;
      const ptr = alignUp(block.ptr, align);
      if (ptr + need > block.ptr + block.size) continue;
      const rest: Block[] = [];
      if (ptr > block.ptr) rest.push({ ptr: block.ptr, size: ptr - block.ptr });
      if (ptr + need < block.ptr + block.size) rest.push({ ptr: ptr + need, size: block.ptr + block.size - ptr - need });
      this.freeBlocks.splice(i, 1, ...rest);
      this.allocated.set(ptr, need);
      return ptr;
    }
    const ptr = alignUp(this.top, align);
    if (ptr > this.top) this.release({ ptr: this.top, size: ptr - this.top });
    this.ensureMemory(ptr + need);
    this.top = ptr + need;
    this.allocated.set(ptr, need);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.allocated.get(ptr);
    if (size === undefined) throw new MemscopeError('BAD_REQUEST', `Wasm pointer ${ptr} is not allocated`);
    this.allocated.delete(ptr);
    this.release({ ptr, size });
  }

  private release(block: Block): void {
    let { ptr, size } = block;
    let i = this.freeBlocks.findIndex((b) => b.ptr > ptr);
    if (i < 0) i = this.freeBlocks.length;
    const before = this.freeBlocks[i - 1];
    const after = this.freeBlocks[i];
    let removeFrom = i;
    let removeCount = 0;
    if (before && before.ptr + before.size === ptr) {
      ptr = before.ptr;
      size += before.size;
      removeFrom = i - 1;
      removeCount++;
    }
    if (after && ptr + size === after.ptr) {
      size += after.size;
      removeCount++;
    }
    if (ptr + size === this.top) {
      this.freeBlocks.splice(removeFrom, removeCount);
      this.top = ptr;
    } else {
      this.freeBlocks.splice(removeFrom, removeCount, { ptr, size });
    }
  }

  private ensureMemory(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      this.exports.memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
    } catch {
      throw new MemscopeError('UNSUPPORTED', `cannot grow Wasm memory to ${bytes} bytes`);
    }
    this.refresh();
  }

  private refresh(): void {
    const current = this.exports.memory.buffer;
    if (current === this.buffer) return;
    this.buffer = current;
    this.u8 = new Uint8Array(current);
    this.dv = new DataView(current);
  }
}

/**
 * Instantiates build/memscope.wasm from its bytes, or from a compiled module (which workers can
 * receive by postMessage); the same code path in browsers, workers and Node.
 */
export async function instantiateMemscopeWasm(source: ArrayBufferView<ArrayBuffer> | ArrayBuffer | WebAssembly.Module): Promise<MemscopeWasm> {
  let instance: WebAssembly.Instance;
  try {
    instance =
      source instanceof WebAssembly.Module ? await WebAssembly.instantiate(source, {}) : (await WebAssembly.instantiate(source, {})).instance;
  } catch (e) {
    throw new MemscopeError('UNSUPPORTED', `cannot load memscope.wasm (${(e as Error).message})`);
  }
  const missing = REQUIRED_EXPORTS.filter((name) => !(name in instance.exports));
  if (missing.length > 0) {
    throw new MemscopeError('UNSUPPORTED', `memscope.wasm lacks exports ${missing.join(', ')}; rebuild it (npm run build:wasm)`);
  }
  const disagreeing = codeMismatches(instance.exports);
  if (disagreeing.length > 0) {
    throw new MemscopeError(
      'UNSUPPORTED',
      `memscope.wasm numbers ${disagreeing.join(', ')} differently from this build; rebuild it (npm run build:wasm)`,
    );
  }
  return new MemscopeWasm(instance.exports as unknown as MemscopeExports);
}

/** The mirrored codes whose exported global is absent or holds another value. */
export function codeMismatches(exports: Readonly<Record<string, unknown>>): string[] {
  // An exported global (WebAssembly.Global) carries `value`; anything else there is a mismatch too.
  return Object.entries(MIRRORED_CODES)
    .filter(([name, value]) => (exports[name] as { readonly value?: unknown } | undefined)?.value !== value)
    .map(([name]) => name);
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
