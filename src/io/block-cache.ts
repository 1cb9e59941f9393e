import type { ByteSource } from './byte-source.ts';
import { readEnd } from './read-bounds.ts';

export interface BlockCacheOptions {
  /** Size of an aligned cache block; a power of two. Default 64 KiB. */
  readonly blockSize?: number;
  /** Most bytes the cache holds. Default 64 MiB. */
  readonly capacityBytes?: number;
  /** Reads longer than this go straight to the source (bulk scans would only flush the cache). Default 1 MiB. */
  readonly bypassBytes?: number;
}

export interface BlockCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly cachedBytes: number;
}

/**
 * A ByteSource that keeps recently read fixed-size aligned blocks of another source in an LRU cache.
 * A read spanning several missing blocks becomes one read of the missing span; concurrent reads of a
 * block share one in-flight read. Memory stays below `capacityBytes` whatever the image size.
 */
export class CachedSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private readonly blockSize: number;
  private readonly capacityBytes: number;
  private readonly bypassBytes: number;
  /** Block index → bytes; Map iteration order is the LRU order (oldest first). */
  private readonly blocks = new Map<number, Uint8Array>();
  private readonly inFlight = new Map<number, Promise<Uint8Array>>();
  private cachedBytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    readonly inner: ByteSource,
    options: BlockCacheOptions = {},
  ) {
    this.name = inner.name;
    this.size = inner.size;
    this.blockSize = options.blockSize ?? 64 * 1024;
    this.capacityBytes = options.capacityBytes ?? 64 * 1024 * 1024;
    this.bypassBytes = options.bypassBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize <= 0 || (this.blockSize & (this.blockSize - 1)) !== 0) {
      throw new RangeError(`block size must be a power of two, got ${this.blockSize}`);
    }
  }

  get stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, cachedBytes: this.cachedBytes };
  }

  /** Bulk reads (scans) go straight to the inner source, without an intermediate buffer when it can. */
  async readInto(offset: number, target: Uint8Array): Promise<number> {
    if (target.length > this.bypassBytes && this.inner.readInto) return this.inner.readInto(offset, target);
    const bytes = await this.read(offset, target.length);
    target.set(bytes);
    return bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = readEnd(this.name, this.size, offset, length);
    if (end <= offset) return new Uint8Array(0);
    if (end - offset > this.bypassBytes) return this.inner.read(offset, end - offset);

    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    const pending: Promise<Uint8Array>[] = [];
    let missingFrom = -1;
    for (let index = first; index <= last + 1; index++) {
      const known = index <= last ? this.lookup(index) : undefined;
      const missing = index <= last && known === undefined;
      if (missing && missingFrom < 0) missingFrom = index;
      if (!missing && missingFrom >= 0) {
        pending.push(...this.fetchBlocks(missingFrom, index - 1));
        missingFrom = -1;
      }
      if (known !== undefined) pending.push(known);
    }
    return this.assemble(await Promise.all(pending), first, offset, end);
  }

  async close(): Promise<void> {
    this.blocks.clear();
    this.cachedBytes = 0;
    await this.inner.close?.();
  }

  /** A cached block (refreshed as most recently used) or the promise of one being read. */
  private lookup(index: number): Promise<Uint8Array> | undefined {
    const block = this.blocks.get(index);
    if (block !== undefined) {
      this.hits++;
      this.blocks.delete(index);
      this.blocks.set(index, block);
      return Promise.resolve(block);
    }
    return this.inFlight.get(index);
  }

  /** One underlying read for blocks `from..to`; returns one promise per block. */
  private fetchBlocks(from: number, to: number): Promise<Uint8Array>[] {
    this.misses += to - from + 1;
    const start = from * this.blockSize;
    const span = this.inner.read(start, Math.min(this.size, (to + 1) * this.blockSize) - start);
    const promises: Promise<Uint8Array>[] = [];
    for (let index = from; index <= to; index++) {
      const at = (index - from) * this.blockSize;
      const block: Promise<Uint8Array> = span
        .then((bytes) => {
          const slice = bytes.slice(Math.min(at, bytes.length), Math.min(at + this.blockSize, bytes.length));
          this.store(index, slice);
          return slice;
        })
        .finally(() => {
          if (this.inFlight.get(index) === block) this.inFlight.delete(index);
        });
      this.inFlight.set(index, block);
      promises.push(block);
    }
    return promises;
  }

  private store(index: number, block: Uint8Array): void {
    // A block cut short by the source (a file that shrank) is not kept: the next read asks again.
    const expected = Math.min(this.blockSize, this.size - index * this.blockSize);
    if (block.length !== expected) return;
    this.blocks.set(index, block);
    this.cachedBytes += block.length;
    for (const [oldest, bytes] of this.blocks) {
      if (this.cachedBytes <= this.capacityBytes) break;
      this.blocks.delete(oldest);
      this.cachedBytes -= bytes.length;
    }
  }

  /** Copies `offset..end` out of consecutive blocks starting at block `first`; stops at a short block. */
  private assemble(blocks: readonly Uint8Array[], first: number, offset: number, end: number): Uint8Array {
    const out = new Uint8Array(end - offset);
    let done = 0;
    for (let i = 0; i < blocks.length && done < out.length; i++) {
      const blockStart = (first + i) * this.blockSize;
      const from = Math.max(0, offset - blockStart);
      const piece = blocks[i]!.subarray(from, Math.min(blocks[i]!.length, end - blockStart));
      out.set(piece, done);
      done += piece.length;
      if (from + piece.length < Math.min(this.blockSize, end - blockStart)) break;
    }
    return done === out.length ? out : out.subarray(0, done);
  }
}
