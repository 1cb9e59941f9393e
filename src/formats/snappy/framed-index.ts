import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { hex } from '../../io/hex.ts';
import { TRUNCATED_FILE } from '../truncation.ts';

/** Which framing the stream identifier names: Snappy's ("sNaPpY") or S2's ("S2sTwO", larger blocks, more copy forms). */
export type FramedKind = 'snappy' | 's2';

const IDENTIFIERS: Readonly<Record<string, FramedKind>> = { sNaPpY: 'snappy', S2sTwO: 's2' };
/** Uncompressed bytes one data chunk may hold: 64 KiB in Snappy's framing, 4 MiB in S2's. */
export const MAX_BLOCK: Readonly<Record<FramedKind, number>> = { snappy: 65536, s2: 4 << 20 };
const CHUNK_HEADER = 4;
const CRC_BYTES = 4;
/** A chunk header, its checksum and the varint of a compressed block's length: all the index reads of a chunk. */
const PEEK_BYTES = CHUNK_HEADER + CRC_BYTES + 5;
const WINDOW_BYTES = 4 * 1024 * 1024;
const COMPRESSED = 0x00;
const UNCOMPRESSED = 0x01;
const STREAM_IDENTIFIER = 0xff;

/** The data chunks of a framed stream, by position in the uncompressed stream (parallel arrays: a million chunks stay small). */
export interface FramedStreamIndex {
  readonly kind: FramedKind;
  /** Uncompressed offset of each data chunk; the next one's (or `length`) ends it. */
  readonly starts: readonly number[];
  /** File offset of each chunk's data (after its checksum) and its stored length. */
  readonly dataOffsets: readonly number[];
  readonly dataLengths: readonly number[];
  /** 1 when the chunk's data is a compressed block, 0 when stored as it is. */
  readonly compressed: Uint8Array;
  readonly checksums: readonly number[];
  /** Uncompressed bytes indexed. */
  readonly length: number;
  /** File offset just past the last chunk read. */
  readonly end: number;
  readonly warnings: readonly string[];
}

export interface FramedIndexOptions {
  /** Stop once this many uncompressed bytes are indexed (an AVML range); absent: read to `end`. */
  readonly length?: number;
  /** What the stream is, for messages ("AVML range 0x0-0xfffff"). */
  readonly what: string;
  /** Called with the file offset reached, each time the index reads on. */
  readonly onProgress?: (fileOffset: number) => void;
}

/** Reads a file sequentially through one large buffer, so that indexing costs one pass over the file. */
class Window {
  private buffer: Uint8Array = new Uint8Array(0);
  private at = 0;
  constructor(
    private readonly source: ByteSource,
    private readonly onRead?: (fileOffset: number) => void,
  ) {}

  async peek(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.at || offset + length > this.at + this.buffer.length) {
      this.buffer = await this.source.read(offset, Math.max(WINDOW_BYTES, length));
      this.at = offset;
      this.onRead?.(offset);
    }
    return this.buffer.subarray(offset - this.at, offset - this.at + length);
  }
}

/** A compressed block's uncompressed length: the little-endian base-128 varint it starts with (at most 5 bytes). */
function blockLength(bytes: Uint8Array): number | undefined {
  let value = 0;
  for (let i = 0; i < 5 && i < bytes.length; i++) {
    value += (bytes[i]! & 0x7f) * 2 ** (7 * i);
    if ((bytes[i]! & 0x80) === 0) return value;
  }
  return undefined;
}

/**
 * Indexes a Snappy- or S2-framed stream at file offsets `start .. end` by its chunk headers alone (no block is
 * decompressed): stream identifiers, data chunks (compressed or not, each with its masked CRC-32C), padding and
 * skippable chunks (S2's seek index among them). A stream that breaks off keeps the chunks before it, with a warning;
 * a stream without an identifier, a reserved chunk type or a chunk claiming more than the framing allows → CORRUPT.
 */
export async function indexFramedStream(source: ByteSource, start: number, end: number, options: FramedIndexOptions): Promise<FramedStreamIndex> {
  const window = new Window(source, options.onProgress);
  const starts: number[] = [];
  const dataOffsets: number[] = [];
  const dataLengths: number[] = [];
  const flags: number[] = [];
  const checksums: number[] = [];
  const warnings: string[] = [];
  const corrupt = (at: number, why: string) => new MemscopeError('CORRUPT', `${options.what}: ${why} (chunk at file offset ${hex(at)})`, source.name);
  let kind: FramedKind | undefined;
  let length = 0;
  let at = start;
  while (at < end && (options.length === undefined || length < options.length)) {
    const head = await window.peek(at, Math.min(PEEK_BYTES, end - at));
    const size = head.length >= CHUNK_HEADER ? head[1]! | (head[2]! << 8) | (head[3]! << 16) : -1;
    if (size < 0 || at + CHUNK_HEADER + size > end) {
      warnings.push(`${TRUNCATED_FILE}: ${options.what} breaks off in the chunk at file offset ${hex(at)}; the ${length} bytes before it are read`);
      break;
    }
    const type = head[0]!;
    if (type === STREAM_IDENTIFIER) {
      const id = size === 6 ? new TextDecoder().decode((await window.peek(at + CHUNK_HEADER, 6)).slice()) : '';
      const named = IDENTIFIERS[id];
      if (!named || (kind && named !== kind)) throw corrupt(at, `bad stream identifier "${id}"`);
      kind = named;
    } else if (!kind) {
      throw corrupt(at, 'the stream does not start with a Snappy or S2 stream identifier');
    } else if (type === COMPRESSED || type === UNCOMPRESSED) {
      if (size < CRC_BYTES) throw corrupt(at, `a data chunk of ${size} bytes has no room for its checksum`);
      const stored = size - CRC_BYTES;
      const decoded = type === UNCOMPRESSED ? stored : blockLength(head.subarray(CHUNK_HEADER + CRC_BYTES));
      if (decoded === undefined || decoded > MAX_BLOCK[kind]) {
        throw corrupt(at, `a data chunk claims ${decoded ?? 'an unreadable number of'} bytes, more than the ${MAX_BLOCK[kind]} its framing allows`);
      }
      const view = new DataView(head.buffer, head.byteOffset + CHUNK_HEADER, CRC_BYTES);
      starts.push(length);
      dataOffsets.push(at + CHUNK_HEADER + CRC_BYTES);
      dataLengths.push(stored);
      flags.push(type === COMPRESSED ? 1 : 0);
      checksums.push(view.getUint32(0, true));
      length += decoded;
    } else if (type < 0x80) {
      throw corrupt(at, `reserved unskippable chunk type ${hex(type)}`);
    }
    at += CHUNK_HEADER + size;
  }
  if (!kind) throw corrupt(start, 'the stream is empty');
  return { kind, starts, dataOffsets, dataLengths, compressed: Uint8Array.from(flags), checksums, length, end: at, warnings };
}
