import { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from './physical-layer.ts';
import type { MemscopeWasm } from './wasm-module.ts';

export const DEFAULT_PAGE_TABLE_CACHE_PAGES = 2048;
const MIN_PAGES = 8;
/** Pages `insert` can keep while emptying the cache (assembly/page-cache.ts keeps up to 4). */
const MAX_KEPT = 4;
const PAGE = 4096;
/** Consecutive pages fetched with one physical read. */
const MAX_PAGES_PER_READ = 64;

export interface LoadedPage {
  readonly page: number;
  readonly bytes: Uint8Array;
}

export interface PageTableCacheStats {
  /** Calls to `read`: rounds of the missing-page protocol. */
  batches: number;
  pagesRead: number;
  readCalls: number;
  clears: number;
}

/**
 * The page-table pages the Wasm walker sees: a bounded cache in linear memory, one per Wasm instance,
 * shared by all virtual layers of one physical layer (page tables are found by physical page number).
 * When a batch of pages does not fit, the cache is emptied and refilled: simple, and walks stay correct
 * because they ask again for whatever is missing.
 */
export class PageTableCache {
  private static readonly byInstance = new WeakMap<MemscopeWasm, PageTableCache>();

  /** The instance's cache; `capacity` (pages) applies when it is created. */
  static of(wasm: MemscopeWasm, capacity?: number): PageTableCache {
    let cache = PageTableCache.byInstance.get(wasm);
    if (!cache) {
      cache = new PageTableCache(wasm, capacity ?? DEFAULT_PAGE_TABLE_CACHE_PAGES);
      PageTableCache.byInstance.set(wasm, cache);
    } else if (capacity !== undefined && cache.capacity !== capacity) {
      throw new MemscopeError('BAD_REQUEST', `page-table cache already holds ${cache.capacity} pages, not ${capacity}`);
    }
    return cache;
  }

  readonly stats: PageTableCacheStats = { batches: 0, pagesRead: 0, readCalls: 0, clears: 0 };
  private owner: PhysicalLayer | null = null;
  private readonly keptList: number;

  private constructor(
    private readonly wasm: MemscopeWasm,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < MIN_PAGES) {
      throw new MemscopeError('BAD_REQUEST', `page-table cache needs at least ${MIN_PAGES} pages`);
    }
    const base = wasm.alloc(wasm.exports.ptcRegionSize(capacity), PAGE);
    wasm.exports.ptcInit(base, capacity);
    this.keptList = wasm.alloc(MAX_KEPT * 8);
  }

  /** Makes the cache hold pages of `layer` only. Call synchronously right before a Wasm walk. */
  use(layer: PhysicalLayer): void {
    if (this.owner === layer) return;
    this.clear();
    this.owner = layer;
  }

  /**
   * Reads page-table pages (physical page numbers, most urgent first) with batched physical reads;
   * no more than fit in the cache beside `reserve` pages.
   */
  async read(layer: PhysicalLayer, pages: readonly number[], reserve = 0): Promise<LoadedPage[]> {
    const wanted = [...new Set(pages)].slice(0, this.capacity - reserve);
    const sorted = [...wanted].sort((a, b) => a - b);
    const bytesOf = new Map<number, Uint8Array>();
    const reads: Promise<void>[] = [];
    for (let i = 0; i < sorted.length;) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[j - 1]! + 1 && j - i < MAX_PAGES_PER_READ) j++;
      const first = sorted[i]!;
      const count = j - i;
      reads.push(
        layer.read(first * PAGE, count * PAGE).then((bytes) => {
          for (let k = 0; k < count; k++) bytesOf.set(first + k, bytes.subarray(k * PAGE, (k + 1) * PAGE));
        }),
      );
      this.stats.readCalls++;
      i = j;
    }
    await Promise.all(reads);
    this.stats.batches++;
    this.stats.pagesRead += wanted.length;
    return wanted.map((page) => ({ page, bytes: bytesOf.get(page)! }));
  }

  /**
   * Inserts pages from `read` in order. If they do not all fit, empties the cache except for the `keep`
   * pages (≤ 4, e.g. the tables a walk resumes from) and inserts as many as fit. Synchronous: run the
   * walk right after, before anything can evict them.
   */
  insert(layer: PhysicalLayer, loaded: readonly LoadedPage[], keep: readonly number[] = []): void {
    this.use(layer);
    const { exports } = this.wasm;
    if (exports.ptcFree() < loaded.length) {
      const kept = keep.slice(0, MAX_KEPT);
      const view = this.wasm.view;
      kept.forEach((page, i) => view.setBigUint64(this.keptList + i * 8, BigInt(page), true));
      exports.ptcClearExcept(this.keptList, kept.length);
      this.stats.clears++;
    }
    const take = Math.min(loaded.length, exports.ptcFree());
    for (let i = 0; i < take; i++) {
      const { page, bytes } = loaded[i]!;
      const ptr = exports.ptcInsert(BigInt(page));
      if (ptr === 0) throw new Error('page-table cache overflow');
      const memory = this.wasm.bytes;
      memory.set(bytes.subarray(0, PAGE), ptr);
      // A short read (end of the image) leaves the rest of the table empty.
      if (bytes.length < PAGE) memory.fill(0, ptr + bytes.length, ptr + PAGE);
    }
  }

  private clear(): void {
    this.wasm.exports.ptcClear();
    this.stats.clears++;
  }
}
