import type { ContainerNote } from '../layers/physical-layer.ts';
import { hex } from '../io/hex.ts';

const NOTE_HEADER = 12;
const nameDecoder = new TextDecoder();

/** Sizes up to 2^32 - 1: arithmetic, not a 32-bit mask (which turns sizes of 2^31 and more negative). */
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Parses an ELF note segment (namesz, descsz, type, name, desc; 4-byte aligned, little-endian).
 * A note running past the segment ends the parse with a warning; the notes before it are kept.
 */
export function parseElfNotes(segment: Uint8Array): { notes: ContainerNote[]; warnings: string[] } {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const notes: ContainerNote[] = [];
  let offset = 0;
  // Each note takes at least NOTE_HEADER bytes, so the loop ends within segment.length / 12 rounds.
  while (offset + NOTE_HEADER <= segment.length) {
    const nameSize = view.getUint32(offset, true);
    const descSize = view.getUint32(offset + 4, true);
    const type = view.getUint32(offset + 8, true);
    const nameAt = offset + NOTE_HEADER;
    const descAt = nameAt + align4(nameSize);
    const next = descAt + align4(descSize);
    if (next > segment.length) {
      const warning =
        `ELF note ${notes.length} at ${hex(offset)} in the note segment is cut off or corrupt ` +
        `(name ${nameSize} bytes, desc ${descSize} bytes); later notes ignored`;
      return { notes, warnings: [warning] };
    }
    const name = nameDecoder.decode(segment.subarray(nameAt, nameAt + nameSize)).replace(/\0+$/, '');
    notes.push({ name, type, desc: segment.slice(descAt, descAt + descSize) });
    offset = next;
  }
  return { notes, warnings: [] };
}
