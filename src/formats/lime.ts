import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { readExact } from '../io/read-exact.ts';
import type { PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { RunMappedLayer } from '../layers/run-mapped-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { TruncationTally } from './truncation.ts';

/** "EMiL" on disk. */
const LIME_MAGIC = 0x4c694d45;
const LIME_VERSION = 1;
const HEADER_SIZE = 32;
/** LiME writes one range per "System RAM" region, a handful in practice; this bounds the header walk. */
const MAX_RANGES = 1 << 16;

export interface RangeHeader {
  readonly start: number;
  readonly length: number;
}

/**
 * The range header in `bytes`, or why it is not one. AVML's headers are LiME's with their own magic and version 2
 * (its ranges' bytes Snappy-compressed).
 */
export function parseRangeHeader(bytes: Uint8Array, format = { name: 'LiME', magic: LIME_MAGIC, version: LIME_VERSION }): RangeHeader | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== format.magic) return `bad magic ${hex(magic)}`;
  const version = view.getUint32(4, true);
  if (version !== format.version) return `unsupported ${format.name} version ${version}`;
  const start = view.getBigUint64(8, true);
  const endInclusive = view.getBigUint64(16, true);
  if (endInclusive < start) return `range end ${hex(endInclusive)} below its start ${hex(start)}`;
  if (endInclusive >= BigInt(Number.MAX_SAFE_INTEGER)) return `range end ${hex(endInclusive)} beyond 2^53`;
  return { start: Number(start), length: Number(endInclusive - start) + 1 };
}

/**
 * LiME (Linux Memory Extractor): 32-byte headers (magic, version 1, start, inclusive end, reserved),
 * each followed by the range's bytes. A bad header after the first ends the walk with a warning.
 */
export const limeFormat: ContainerFormat = {
  id: 'lime',
  description: 'LiME (Linux Memory Extractor) dump',

  probe(head) {
    if (head.length < 8) return 0;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (view.getUint32(0, true) !== LIME_MAGIC) return 0;
    return view.getUint32(4, true) === LIME_VERSION ? 1 : 0.6;
  },

  async open(source: ByteSource): Promise<PhysicalLayer> {
    const first = parseRangeHeader(await readExact(source, 0, HEADER_SIZE, 'first LiME range header'));
    if (typeof first === 'string') {
      throw new MemscopeError(first.startsWith('unsupported') ? 'UNSUPPORTED' : 'CORRUPT', `not a readable LiME file: ${first}`, source.name);
    }
    const tally = new TruncationTally(source, 'range');
    const runs: PhysicalRun[] = [];
    const warnings: string[] = [];
    let size = 0;
    let header: RangeHeader = first;
    let offset = 0;
    for (;;) {
      const dataOffset = offset + HEADER_SIZE;
      runs.push({ start: header.start, length: tally.clip(dataOffset, header.length), fileOffset: dataOffset });
      size = Math.max(size, header.start + header.length);
      offset = dataOffset + header.length;
      if (offset >= source.size) break;
      if (runs.length === MAX_RANGES) {
        warnings.push(`more than ${MAX_RANGES} ranges; the rest of the file (from ${hex(offset)}) is ignored`);
        break;
      }
      const bytes = await source.read(offset, HEADER_SIZE);
      const next = bytes.length === HEADER_SIZE ? parseRangeHeader(bytes) : 'the file ends inside it';
      if (typeof next === 'string') {
        warnings.push(`no valid LiME range header at file offset ${hex(offset)} (${next}); the last ${source.size - offset} bytes are ignored`);
        break;
      }
      header = next;
    }
    tally.throwIfNothingLeft();
    return new RunMappedLayer({ format: 'lime', source, runs, size, warnings: [...tally.warnings(), ...warnings] });
  },
};
