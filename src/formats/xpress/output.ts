import { MemscopeError } from '../../errors.ts';

/** From this length on, a match is moved with copyWithin calls; shorter ones byte by byte are faster. */
const LONG = 32;

/** A damaged Xpress stream: MemscopeError CORRUPT naming the variant ("Plain LZ77" or "LZ77+Huffman"). */
export function xpressCorrupt(variant: string, why: string): MemscopeError {
  return new MemscopeError('CORRUPT', `Xpress ${variant} data ${why}`);
}

/**
 * Appends a match of `length` bytes copied from `distance` bytes back to `out` at `at` and returns the new end; the
 * caller has checked that 0 < distance ≤ at and at + length ≤ out.length. A distance shorter than the length
 * repeats the last `distance` bytes, as [MS-XCA]'s byte-by-byte copy does; long ones are copied in doubling spans
 * that each start at the pattern's beginning.
 */
export function copyMatch(out: Uint8Array, at: number, distance: number, length: number): number {
  const from = at - distance;
  if (length < LONG) {
    for (let i = 0; i < length; i++) out[at + i] = out[from + i]!;
    return at + length;
  }
  for (let done = 0, span = distance; done < length; span = done + distance) {
    const n = Math.min(span, length - done);
    out.copyWithin(at + done, from, from + n);
    done += n;
  }
  return at + length;
}
