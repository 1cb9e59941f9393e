import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import { AFF4, type Aff4Metadata } from './aff4-metadata.ts';
import type { Aff4Stream } from './aff4-stream.ts';
import { SymbolicStream } from './symbolic-stream.ts';
import type { ZipVolume } from './zip-volume.ts';

/** `<urn>/map` entry: u64 mapped offset, u64 length, u64 target offset, u32 index into `<urn>/idx`. */
const ENTRY_SIZE = 28;
/** 256 MiB of entries is ~10 M ranges, far beyond any real memory map; bounds memory for hostile input. */
const MAX_MAP_BYTES = 256 * 1024 * 1024;
const MAX_IDX_BYTES = 16 * 1024 * 1024;
const MAX_TARGETS = 1 << 16;

/** Opens the stream a map entry targets (an image stream, another map, a symbolic stream). */
export type StreamResolver = (urn: string) => Promise<Aff4Stream>;

/** A range of the map's address space and the bytes behind it. */
export interface MapRange {
  readonly start: number;
  readonly length: number;
}

/**
 * An `aff4:Map`: sorted ranges of its address space, each read from an offset in a target stream. Addresses no
 * range covers read from `aff4:mapGapDefaultStream` (aff4:Zero unless the map says otherwise).
 */
export class Aff4Map implements Aff4Stream {
  private constructor(
    readonly urn: string,
    readonly size: number,
    private readonly starts: Float64Array,
    private readonly lengths: Float64Array,
    private readonly targetOffsets: Float64Array,
    private readonly targetIds: Uint32Array,
    private readonly targets: readonly Aff4Stream[],
    private readonly gap: Aff4Stream,
  ) {}

  /** Reads `<urn>/map` and `<urn>/idx`; bad sizes, overlaps or ranges outside their targets → CORRUPT. */
  static async open(volume: ZipVolume, meta: Aff4Metadata, urn: string, resolve: StreamResolver): Promise<Aff4Map> {
    const corrupt = (why: string) => new MemscopeError('CORRUPT', `map ${urn}: ${why}`, volume.source.name);
    const size = Number(meta.value(urn, 'size'));
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`aff4:size ${meta.value(urn, 'size') ?? 'missing'} is not a byte count`);
    const mapEntry = volume.member(`${urn}/map`);
    const idxEntry = volume.member(`${urn}/idx`);
    if (!mapEntry || !idxEntry) throw corrupt(`member ${urn}/${mapEntry ? 'idx' : 'map'} is missing from the volume`);
    const idxText = new TextDecoder().decode(await volume.readWhole(idxEntry, MAX_IDX_BYTES, `${urn}/idx`));
    const targetUrns = idxText.split(/\r?\n/).filter((line) => line.trim() !== '');
    if (targetUrns.length > MAX_TARGETS) throw corrupt(`${urn}/idx lists ${targetUrns.length} targets, more than ${MAX_TARGETS}`);
    const bytes = await volume.readWhole(mapEntry, MAX_MAP_BYTES, `${urn}/map`);
    if (bytes.length % ENTRY_SIZE !== 0) throw corrupt(`${urn}/map is ${bytes.length} bytes, not a multiple of ${ENTRY_SIZE}`);

    const count = bytes.length / ENTRY_SIZE;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u64 = (at: number) => Number(view.getBigUint64(at, true));
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => u64(a * ENTRY_SIZE) - u64(b * ENTRY_SIZE));
    const targets = await Promise.all(targetUrns.map((t) => resolve(t.trim())));
    const starts = new Float64Array(count);
    const lengths = new Float64Array(count);
    const targetOffsets = new Float64Array(count);
    const targetIds = new Uint32Array(count);
    let covered = 0;
    order.forEach((entry, i) => {
      const at = entry * ENTRY_SIZE;
      const [start, length, targetOffset, targetId] = [u64(at), u64(at + 8), u64(at + 16), view.getUint32(at + 24, true)];
      const target = targets[targetId];
      if (!target) throw corrupt(`entry ${entry} names target ${targetId}, but ${urn}/idx lists ${targets.length}`);
      if (start < covered) throw corrupt(`entry ${entry} at ${hex(start)} overlaps the range before it`);
      if (start + length > size) throw corrupt(`entry ${entry} (${hex(start)} +${hex(length)}) lies beyond the map size ${hex(size)}`);
      if (targetOffset + length > target.size) {
        throw corrupt(`entry ${entry} points beyond its target ${target.urn}: ${hex(targetOffset)} +${hex(length)} in a ${target.size}-byte stream`);
      }
      [starts[i], lengths[i], targetOffsets[i], targetIds[i]] = [start, length, targetOffset, targetId];
      covered = start + length;
    });
    const gapUrn = meta.value(urn, 'mapGapDefaultStream') ?? `${AFF4}Zero`;
    const gap = SymbolicStream.forUrn(gapUrn) ?? (await resolve(gapUrn));
    return new Aff4Map(urn, size, starts, lengths, targetOffsets, targetIds, targets, gap);
  }

  /** Ranges backed by real data (image streams or maps, not symbolic streams), adjacent ones merged. */
  dataRanges(): MapRange[] {
    const ranges: { start: number; length: number }[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      if (this.targets[this.targetIds[i]!] instanceof SymbolicStream || this.lengths[i] === 0) continue;
      const last = ranges[ranges.length - 1];
      if (last && last.start + last.length === this.starts[i]) last.length += this.lengths[i]!;
      else ranges.push({ start: this.starts[i]!, length: this.lengths[i]! });
    }
    return ranges;
  }

  /**
   * Ranges that read as a symbolic stream's non-zero pattern (aff4:SymbolicStreamFF, aff4:UnknownData): entries
   * pointing at one, and the gaps when the gap stream is one; adjacent ones merged.
   */
  patternRanges(): MapRange[] {
    const patterned = (s: Aff4Stream) => s instanceof SymbolicStream && !s.zero;
    const ranges: MapRange[] = [];
    const add = (start: number, length: number) => {
      const last = ranges[ranges.length - 1];
      if (last && last.start + last.length === start) ranges[ranges.length - 1] = { start: last.start, length: last.length + length };
      else if (length > 0) ranges.push({ start, length });
    };
    let at = 0;
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts[i]! > at && patterned(this.gap)) add(at, this.starts[i]! - at);
      if (patterned(this.targets[this.targetIds[i]!]!)) add(this.starts[i]!, this.lengths[i]!);
      at = Math.max(at, this.starts[i]! + this.lengths[i]!);
    }
    if (this.size > at && patterned(this.gap)) add(at, this.size - at);
    return ranges;
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    const end = offset + target.length;
    const pieces: Promise<void>[] = [];
    let at = offset;
    for (let i = this.firstEndingAfter(offset); i < this.starts.length && this.starts[i]! < end; i++) {
      const start = this.starts[i]!;
      const from = Math.max(offset, start);
      const to = Math.min(end, start + this.lengths[i]!);
      if (from > at) pieces.push(this.gap.readInto(at, target.subarray(at - offset, from - offset)));
      if (to > from) {
        const stream = this.targets[this.targetIds[i]!]!;
        pieces.push(stream.readInto(this.targetOffsets[i]! + (from - start), target.subarray(from - offset, to - offset)));
      }
      at = Math.max(at, to);
    }
    if (at < end) pieces.push(this.gap.readInto(at, target.subarray(at - offset)));
    await Promise.all(pieces);
  }

  /** Index of the first range whose end lies above `address` (binary search). */
  private firstEndingAfter(address: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! + this.lengths[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
