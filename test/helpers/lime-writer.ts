import { concat } from '../fixtures/windows/encoding.ts';

/** One range of a LiME file: its physical start and bytes. */
export interface LimeRange {
  readonly start: number;
  readonly data: Uint8Array;
}

/** A LiME range header (LiME's format: magic, version 1, start and inclusive end address, 8 reserved bytes). */
export function limeHeader(start: number, endInclusive: number, magic = 0x4c694d45): Uint8Array {
  const header = new Uint8Array(32);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, 1, true);
  view.setBigUint64(8, BigInt(start), true);
  view.setBigUint64(16, BigInt(endInclusive), true);
  return header;
}

/** A LiME file: each range's header followed by its bytes. */
export function buildLime(ranges: readonly LimeRange[]): Uint8Array {
  return concat(ranges.flatMap((r) => [limeHeader(r.start, r.start + r.data.length - 1), r.data]));
}
