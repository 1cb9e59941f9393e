import snappy from 'snappyjs';
import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { hex } from '../../io/hex.ts';
import { describeCause } from '../../io/read-bounds.ts';
import { LruCache } from '../aff4/lru-cache.ts';
import { maskedCrc32c } from './crc32c.ts';
import { MAX_BLOCK, type FramedStreamIndex } from './framed-index.ts';
import { decodeS2Block } from './s2-block.ts';

/** Decoded chunks kept: about 16 MiB whatever the block size. */
const CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Random access to a Snappy- or S2-framed stream through its index: a read decodes only the chunks it touches (kept
 * in a small LRU cache), each checked against its masked CRC-32C; a chunk that does not decode to its length or
 * checksum → CORRUPT naming its file offset.
 */
export class FramedStream {
  private readonly cache: LruCache<number, Uint8Array>;

  constructor(
    private readonly source: ByteSource,
    readonly index: FramedStreamIndex,
    private readonly what: string,
  ) {
    this.cache = new LruCache(Math.max(4, Math.floor(CACHE_BYTES / MAX_BLOCK[index.kind])));
  }

  get length(): number {
    return this.index.length;
  }

  /** Fills `target` with the uncompressed bytes at `offset` (which must lie inside the stream). */
  async readInto(offset: number, target: Uint8Array): Promise<void> {
    const { starts } = this.index;
    let done = 0;
    for (let i = this.chunkAt(offset); done < target.length && i < starts.length; i++) {
      const chunk = await this.chunk(i);
      const from = offset + done - starts[i]!;
      const part = chunk.subarray(from, from + target.length - done);
      target.set(part, done);
      done += part.length;
    }
  }

  /** The last chunk starting at or before `offset` (binary search). */
  private chunkAt(offset: number): number {
    const { starts } = this.index;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private chunk(i: number): Promise<Uint8Array> {
    return this.cache.get(i, async () => {
      const { starts, dataOffsets, dataLengths, compressed, checksums, length } = this.index;
      const expected = (starts[i + 1] ?? length) - starts[i]!;
      const stored = await this.source.read(dataOffsets[i]!, dataLengths[i]!);
      const at = `${this.what}: the chunk at file offset ${hex(dataOffsets[i]! - 8)}`;
      if (stored.length < dataLengths[i]!) throw new MemscopeError('TRUNCATED', `${at} is cut off by the end of the file`, this.source.name);
      let data: Uint8Array;
      try {
        data = !compressed[i] ? stored : this.index.kind === 's2' ? decodeS2Block(stored, expected) : snappy.uncompress(stored, expected);
      } catch (e) {
        throw new MemscopeError('CORRUPT', `${at} does not decompress (${describeCause(e)})`, this.source.name);
      }
      if (data.length !== expected) {
        throw new MemscopeError('CORRUPT', `${at} decompresses to ${data.length} bytes, not the ${expected} it declares`, this.source.name);
      }
      if (maskedCrc32c(data) !== checksums[i]) throw new MemscopeError('CORRUPT', `${at} fails its CRC-32C check`, this.source.name);
      return data;
    });
  }
}
