import { isMemscopeError, MemscopeError } from '../../errors.ts';
import { describeCause } from '../../io/read-bounds.ts';
import { readExact } from '../../io/read-exact.ts';
import type { Aff4Metadata } from './aff4-metadata.ts';
import type { Aff4Stream } from './aff4-stream.ts';
import { chunkDecoder, type ChunkDecoder } from './chunk-codec.ts';
import { LruCache } from './lru-cache.ts';
import type { ZipVolume } from './zip-volume.ts';

/** WinPmem and Evimetry write 32 KiB chunks; a chunk above this is not an image stream's. */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const MAX_CHUNKS_IN_SEGMENT = 1 << 20;
/** AFF4 v1.0 `<segment>.index` entry: u64 offset in the segment, u32 stored length. */
const INDEX_ENTRY_SIZE = 12;
/** Decompressed chunks kept, in bytes: bounded memory whatever the image size. */
const CHUNK_CACHE_BYTES = 32 * 1024 * 1024;
const SEGMENT_CACHE_ENTRIES = 16;
/** Chunks decoded at once by one read. */
const PARALLEL_CHUNKS = 32;

interface Segment {
  readonly name: string;
  readonly dataOffset: number;
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
}

/**
 * An `aff4:ImageStream`: `size` bytes cut into chunks of `chunkSize`, stored `chunksInSegment` to a segment
 * member `<urn>/00000000`, `…/00000001`, each with a `.index` member locating its chunks. A chunk whose
 * stored length equals chunkSize is stored uncompressed; the others go through `compressionMethod`.
 */
export class ImageStream implements Aff4Stream {
  private readonly chunks: LruCache<number, Uint8Array>;
  private readonly segments = new LruCache<number, Segment>(SEGMENT_CACHE_ENTRIES);

  private constructor(
    private readonly volume: ZipVolume,
    readonly urn: string,
    readonly size: number,
    private readonly chunkSize: number,
    private readonly chunksInSegment: number,
    private readonly compressionMethod: string,
    private readonly decoder: ChunkDecoder | undefined,
  ) {
    this.chunks = new LruCache(Math.max(4, Math.floor(CHUNK_CACHE_BYTES / chunkSize)));
  }

  /** Reads the stream's description; impossible sizes → CORRUPT naming the stream. */
  static fromMetadata(volume: ZipVolume, meta: Aff4Metadata, urn: string): ImageStream {
    const corrupt = (why: string) => new MemscopeError('CORRUPT', `image stream ${urn}: ${why}`, volume.source.name);
    const integer = (name: string, max: number, fallback?: number): number => {
      const text = meta.value(urn, name);
      const n = text === undefined ? fallback : Number(text);
      if (n === undefined || !Number.isSafeInteger(n) || n < 0 || n > max)
        throw corrupt(`aff4:${name} ${text ?? 'missing'} is not an integer in 0..${max}`);
      return n;
    };
    const size = integer('size', Number.MAX_SAFE_INTEGER);
    const chunkSize = integer('chunkSize', MAX_CHUNK_SIZE, 32 * 1024);
    const chunksInSegment = integer('chunksInSegment', MAX_CHUNKS_IN_SEGMENT, 2048);
    if (chunkSize === 0 || chunksInSegment === 0) throw corrupt('aff4:chunkSize and aff4:chunksInSegment must be positive');
    const method = meta.value(urn, 'compressionMethod') ?? 'http://aff4.org/Schema#NullCompressor';
    return new ImageStream(volume, urn, size, chunkSize, chunksInSegment, method, chunkDecoder(method));
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    const end = offset + target.length;
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.ceil(end / this.chunkSize);
    for (let batch = first; batch < last; batch += PARALLEL_CHUNKS) {
      const ids = Array.from({ length: Math.min(PARALLEL_CHUNKS, last - batch) }, (_, i) => batch + i);
      await Promise.all(
        ids.map(async (id) => {
          const bytes = await this.chunks.get(id, () => this.loadChunk(id));
          const chunkStart = id * this.chunkSize;
          const from = Math.max(offset, chunkStart);
          const to = Math.min(end, chunkStart + this.chunkSize);
          target.set(bytes.subarray(from - chunkStart, to - chunkStart), from - offset);
        }),
      );
    }
  }

  private async loadChunk(id: number): Promise<Uint8Array> {
    const segmentId = Math.floor(id / this.chunksInSegment);
    const local = id % this.chunksInSegment;
    const segment = await this.segments.get(segmentId, () => this.loadSegment(segmentId));
    const what = `chunk ${id} of image stream ${this.urn} (entry ${local} of ${segment.name})`;
    if (local >= segment.lengths.length) {
      throw this.corrupt(`${what} is missing: the segment index lists only ${segment.lengths.length} chunks`);
    }
    const stored = await readExact(this.volume.source, segment.dataOffset + segment.offsets[local]!, segment.lengths[local]!, what);
    const expected = Math.min(this.chunkSize, this.size - id * this.chunkSize);
    if (stored.length === this.chunkSize) return stored;
    if (!this.decoder) {
      throw new MemscopeError(
        'UNSUPPORTED',
        `${what} is compressed with ${this.compressionMethod}, which memscope cannot decompress`,
        this.volume.source.name,
      );
    }
    let out: Uint8Array;
    try {
      out = await this.decoder(stored, this.chunkSize);
    } catch (e) {
      throw this.corrupt(`${what} does not decompress (${describeCause(e)})`);
    }
    // Writers pad the last chunk to chunkSize; one that does not still holds the stream's tail.
    if (out.length !== this.chunkSize && out.length < expected) {
      throw this.corrupt(`${what} decompresses to ${out.length} bytes, not the chunk size ${this.chunkSize}`);
    }
    if (out.length === this.chunkSize) return out;
    const padded = new Uint8Array(this.chunkSize);
    padded.set(out);
    return padded;
  }

  private async loadSegment(segmentId: number): Promise<Segment> {
    const name = `${this.urn}/${String(segmentId).padStart(8, '0')}`;
    const dataEntry = this.volume.member(name);
    const indexEntry = this.volume.member(`${name}.index`);
    if (!dataEntry || !indexEntry) {
      const legacy = this.volume.member(`${name}/index`);
      if (legacy)
        throw new MemscopeError(
          'UNSUPPORTED',
          `${name} has a pre-standard AFF4 index (${name}/index); only AFF4 v1.0 is read`,
          this.volume.source.name,
        );
      throw this.corrupt(`segment member ${dataEntry ? `${name}.index` : name} is missing from the volume`);
    }
    const maxIndex = this.chunksInSegment * INDEX_ENTRY_SIZE;
    if (indexEntry.uncompressedSize > maxIndex) {
      throw this.corrupt(
        `${name}.index holds ${indexEntry.uncompressedSize} bytes, more than ${this.chunksInSegment} chunks (aff4:chunksInSegment) need`,
      );
    }
    const [data, index] = await Promise.all([
      this.volume.storedMember(dataEntry),
      this.volume.readWhole(indexEntry, maxIndex, `${name}.index`),
    ]).catch((e: unknown) => {
      throw isMemscopeError(e) ? e : this.corrupt(`${name}: ${describeCause(e)}`);
    });
    if (index.length % INDEX_ENTRY_SIZE !== 0) throw this.corrupt(`${name}.index is ${index.length} bytes, not a multiple of ${INDEX_ENTRY_SIZE}`);
    const count = index.length / INDEX_ENTRY_SIZE;
    const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
    const offsets = new Float64Array(count);
    const lengths = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const offset = Number(view.getBigUint64(i * INDEX_ENTRY_SIZE, true));
      const length = view.getUint32(i * INDEX_ENTRY_SIZE + 8, true);
      if (offset + length > data.size || length > this.chunkSize) {
        throw this.corrupt(
          `${name}.index entry ${i} claims ${length} bytes at ${offset}, outside the ${data.size}-byte segment or above the chunk size`,
        );
      }
      offsets[i] = offset;
      lengths[i] = length;
    }
    return { name, dataOffset: data.dataOffset, offsets, lengths };
  }

  private corrupt(why: string): MemscopeError {
    return new MemscopeError('CORRUPT', why, this.volume.source.name);
  }
}
