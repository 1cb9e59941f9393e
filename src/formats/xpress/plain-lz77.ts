import { copyMatch, xpressCorrupt } from './output.ts';

const VARIANT = 'Plain LZ77';

/**
 * [MS-XCA] 2.4, Plain LZ77 decompression (COMPRESSION_FORMAT_XPRESS). A little-endian 32-bit word of flags, read
 * from its top bit down, says for each of the next 32 elements whether it is a literal byte (0) or a match (1): a
 * 16-bit word whose top 13 bits are the distance - 1 and low 3 bits the length - 3, longer lengths going on in a
 * shared half byte (two matches use the two nibbles of one byte), then a byte, then 16 or 32 bits.
 *
 * Decodes exactly `expected` bytes, stopping there; throws MemscopeError CORRUPT when the stream ends first, refers
 * back before its start, or describes more bytes than that.
 */
export function decompressPlainLz77(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const end = input.length;
  let ip = 0;
  let op = 0;
  let flags = 0;
  let flagCount = 0;
  /** Where the half byte shared by two long matches is, while its upper nibble is still unused (0: none). */
  let halfByte = 0;
  const need = (n: number) => {
    if (ip + n > end) throw xpressCorrupt(VARIANT, `ends at input offset ${end} after ${op} of ${expected} bytes`);
  };
  const le16 = () => {
    need(2);
    ip += 2;
    return input[ip - 2]! | (input[ip - 1]! << 8);
  };
  while (op < expected) {
    if (flagCount === 0) {
      need(4);
      flags = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
      flagCount = 32;
    }
    flagCount--;
    if (((flags >>> flagCount) & 1) === 0) {
      need(1);
      out[op++] = input[ip++]!;
      continue;
    }
    const match = le16();
    const distance = (match >>> 3) + 1;
    let length = match & 7;
    if (length === 7) {
      if (halfByte === 0) {
        need(1);
        halfByte = ip++;
        length = input[halfByte]! & 15;
      } else {
        length = input[halfByte]! >>> 4;
        halfByte = 0;
      }
      if (length === 15) {
        need(1);
        length = input[ip++]!;
        if (length === 255) {
          length = le16();
          if (length === 0) length = le16() + le16() * 0x10000;
          if (length < 15 + 7) throw xpressCorrupt(VARIANT, `has a match length field of ${length} (below 22) at input offset ${ip}`);
          length -= 15 + 7;
        }
        length += 15;
      }
      length += 7;
    }
    length += 3;
    if (distance > op) throw xpressCorrupt(VARIANT, `refers ${distance} bytes back at output offset ${op}, before its start`);
    if (length > expected - op) throw xpressCorrupt(VARIANT, `decompresses to more than ${expected} bytes`);
    op = copyMatch(out, op, distance, length);
  }
  return out;
}
