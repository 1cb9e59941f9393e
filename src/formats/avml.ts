import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { StreamRunsLayer, type StreamRun } from '../layers/stream-runs-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { parseRangeHeader } from './lime.ts';
import { indexFramedStream } from './snappy/framed-index.ts';
import { FramedStream } from './snappy/framed-stream.ts';

/** "AVML" on disk. */
const AVML = { name: 'AVML', magic: 0x4c4d5641, version: 2 };
const HEADER_SIZE = 32;
/** After each range's stream, its compressed length as a little-endian u64. */
const TRAILER_SIZE = 8;
/** A framed stream starts with its identifier chunk: type 0xff, length 6, "sNaPpY". */
const SNAPPY_START = [0xff, 6, 0, 0, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];
/** AVML splits memory into ranges of at most 16 MiB: a terabyte is 65536 of them; this bounds the header walk. */
const MAX_RANGES = 1 << 20;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);
const zeros: StreamRun['readInto'] = async (_offset, target) => void target.fill(0);

/**
 * AVML (Microsoft's Linux acquisition tool), version 2: LiME-like 32-byte headers (magic "AVML", version 2, start,
 * inclusive end, padding), each followed by the range's bytes as a Snappy-framed stream and the stream's compressed
 * length (u64); a range that was all zeros has no stream at all (the next header follows at once). Each stream's
 * chunks are indexed once from their headers; reads decompress only the chunks they touch (random access).
 */
export const avmlFormat: ContainerFormat = {
  id: 'avml',
  description: 'AVML (Microsoft Linux acquisition tool, Snappy-compressed ranges)',

  probe(head) {
    return head.length >= 8 && typeof parseRangeHeader(head.subarray(0, HEADER_SIZE), AVML) !== 'string' ? 1 : 0;
  },

  async open(source: ByteSource, _companions, onProgress): Promise<PhysicalLayer> {
    const progress = (at: number) => onProgress?.(at, source.size, "Indexing the AVML file's compressed chunks");
    const runs: StreamRun[] = [];
    const warnings: string[] = [];
    let offset = 0;
    while (offset < source.size) {
      const bytes = await source.read(offset, HEADER_SIZE);
      const header = bytes.length === HEADER_SIZE ? parseRangeHeader(bytes, AVML) : 'the file ends inside it';
      if (typeof header === 'string') {
        if (offset === 0) throw new MemscopeError('CORRUPT', `not a readable AVML file: ${header}`, source.name);
        warnings.push(`no valid AVML range header at file offset ${hex(offset)} (${header}); the last ${source.size - offset} bytes are ignored`);
        break;
      }
      if (runs.length === MAX_RANGES) {
        warnings.push(`more than ${MAX_RANGES} ranges; the rest of the file (from ${hex(offset)}) is ignored`);
        break;
      }
      const previous = runs.at(-1);
      if (previous && header.start < previous.start + previous.length) {
        throw new MemscopeError('CORRUPT', `AVML range ${hex(header.start)} at file offset ${hex(offset)} overlaps the range before it`, source.name);
      }
      const what = `AVML range ${hex(header.start)}-${hex(header.start + header.length - 1)}`;
      const data = offset + HEADER_SIZE;
      const start = await source.read(data, SNAPPY_START.length);
      if (!startsWith(start, SNAPPY_START)) {
        // An all-zero range: AVML writes its header only.
        runs.push({ ...header, readInto: zeros });
        offset = data;
        continue;
      }
      const index = await indexFramedStream(source, data, source.size, { length: header.length, what, onProgress: progress });
      warnings.push(...index.warnings);
      const stream = new FramedStream(source, index, what);
      const length = Math.min(header.length, index.length);
      runs.push({ start: header.start, length, readInto: (at, target) => stream.readInto(at, target) });
      if (index.warnings.length > 0 || length < header.length) {
        if (length < header.length && index.warnings.length === 0) warnings.push(`${what} holds only ${length} of its ${header.length} bytes`);
        break;
      }
      const trailer = await source.read(index.end, TRAILER_SIZE);
      const stated =
        trailer.length === TRAILER_SIZE ? new DataView(trailer.buffer, trailer.byteOffset, TRAILER_SIZE).getBigUint64(0, true) : undefined;
      if (stated !== BigInt(index.end - data)) {
        warnings.push(`${what}: the compressed length after its stream (${stated ?? 'missing'}) is not the stream's ${index.end - data} bytes`);
      }
      offset = index.end + TRAILER_SIZE;
    }
    onProgress?.(source.size, source.size, "Indexing the AVML file's compressed chunks");
    return new StreamRunsLayer({ format: 'avml', source, runs, warnings });
  },
};
