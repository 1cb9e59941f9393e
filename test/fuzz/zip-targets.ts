import type { Target } from './targets.ts';

/** ZIP record signatures (APPNOTE.TXT 4.3): local header, central directory header, zip64 end record and locator, end record. */
const RECORDS: readonly (readonly [number, string, number])[] = [
  [0x04034b50, 'zip-local-header', 30],
  [0x02014b50, 'zip-central-header', 46],
  [0x06064b50, 'zip64-end', 56],
  [0x07064b50, 'zip64-locator', 20],
  [0x06054b50, 'zip-end', 22],
];
/** Members whose bytes say where the image's data is: AFF4's Turtle metadata, maps and bevy chunk indexes. */
const INDEX_MEMBER = /information\.turtle|\/map$|\/idx$|\/mapGaps$|\/mapPath$|index$/;
/** How much of a member's data a target covers when its local header does not give its size. */
const MEMBER_HEAD = 4096;

/**
 * An AFF4 (ZIP) file's structure as mutation targets: every record header with its name, the metadata and index
 * members, and the other members' data (compressed chunks). Found by scanning for signatures, so a
 * stray match inside compressed data is a target too (harmless for a fuzzer).
 */
export function zipTargets(bytes: Uint8Array): Target[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const targets: Target[] = [];
  for (let at = 0; at + 4 <= bytes.length; at++) {
    if (bytes[at] !== 0x50 || bytes[at + 1] !== 0x4b) continue;
    const record = RECORDS.find(([signature]) => view.getUint32(at, true) === signature);
    if (!record || at + record[2] > bytes.length) continue;
    const [signature, kind, fixed] = record;
    const nameLength = signature === 0x04034b50 ? view.getUint16(at + 26, true) : signature === 0x02014b50 ? view.getUint16(at + 28, true) : 0;
    targets.push({ kind, offset: at, length: Math.min(fixed + nameLength, bytes.length - at) });
    if (signature !== 0x04034b50) continue;
    const name = new TextDecoder().decode(bytes.subarray(at + 30, at + 30 + nameLength));
    const dataAt = at + 30 + nameLength + view.getUint16(at + 28, true);
    const stored = view.getUint32(at + 18, true);
    // The compressed size, unless the header defers it (0: a data descriptor follows; 0xFFFFFFFF: zip64).
    const size = stored === 0 || stored === 0xffffffff ? MEMBER_HEAD : stored;
    const length = Math.min(size, bytes.length - dataAt);
    if (length > 0) targets.push({ kind: INDEX_MEMBER.test(name) ? 'aff4-index' : 'aff4-chunks', offset: dataAt, length });
  }
  return targets;
}
