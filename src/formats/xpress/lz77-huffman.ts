import { buildDecodingTable, TABLE_BITS, TABLE_BYTES } from './huffman-table.ts';
import { copyMatch, xpressCorrupt } from './output.ts';

const VARIANT = 'LZ77+Huffman';
/** Each Huffman table serves until this many bytes have been written since its block began (a match may run past). */
const BLOCK = 65536;
/** Reused by every call: decoding is synchronous, and building the table rewrites all of it. */
const table = new Uint16Array(1 << TABLE_BITS);

/**
 * [MS-XCA] 2.2, LZ77+Huffman decompression (COMPRESSION_FORMAT_XPRESS_HUFF, hiberfil.sys's Xpress-Huffman). Each
 * block is 256 bytes of code lengths for 512 symbols, then a stream of little-endian 16-bit words read from their top
 * bit down, two words ahead. Symbols below 256 are literals; 256 + (d << 4 | l) is a match whose distance is
 * 2^d plus the next d bits, and whose length is l + 3, or for l = 15 a byte (+ 18), and for a byte of 255 a 16-bit
 * length (+ 3; 0: a 32-bit one follows), these bytes taken from where the next word would come.
 *
 * Decodes exactly `expected` bytes and stops there (the end-of-file symbol is not needed); throws MemscopeError
 * CORRUPT when a table is not a prefix code, the stream uses a code its table lacks, ends first, refers back before
 * its start, or describes more bytes than that.
 */
export function decompressLz77Huffman(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const end = input.length;
  const fail = (why: string, at: number) => xpressCorrupt(VARIANT, `${why} (at output offset ${at})`);
  let op = 0;
  /** [MS-XCA]'s CurrentPosition: the next input byte not yet taken into `bits`. */
  let pos = 0;
  while (op < expected) {
    if (end - pos < TABLE_BYTES) throw fail(`ends at input offset ${end}, before the next block's Huffman table`, op);
    const bad = buildDecodingTable(table, input, pos);
    if (bad !== undefined) throw fail(`${bad} at input offset ${pos}`, op);
    pos += TABLE_BYTES;
    if (end - pos < 4) throw fail(`ends at input offset ${end}, inside a block's first bits`, op);
    /** The next bits, top bit first; 16 + `extra` of them are valid. */
    let bits = (input[pos]! << 16) | (input[pos + 1]! << 24) | input[pos + 2]! | (input[pos + 3]! << 8);
    let extra = 16;
    pos += 4;
    /** Words taken from past the input's end (as zeros): one may be taken ahead, but its bits never used. */
    let beyond = 0;
    for (const blockEnd = Math.min(op + BLOCK, expected); op < blockEnd;) {
      const entry = table[bits >>> (32 - TABLE_BITS)]!;
      const codeLength = entry & 15;
      if (codeLength === 0) throw fail('uses a Huffman code its table does not define', op);
      bits <<= codeLength;
      extra -= codeLength;
      if (extra < 0) {
        if (end - pos >= 2) bits |= (input[pos]! | (input[pos + 1]! << 8)) << -extra;
        else if (beyond++ > 0) throw fail(`ends at input offset ${end}, inside a block`, op);
        pos += 2;
        extra += 16;
      }
      const symbol = entry >>> 4;
      if (symbol < 256) {
        out[op++] = symbol;
        continue;
      }
      let length = symbol & 15;
      if (length === 15) {
        if (pos >= end) throw fail(`ends at input offset ${end}, before a match length byte`, op);
        length = input[pos++]!;
        if (length === 255) {
          if (end - pos < 2) throw fail(`ends at input offset ${end}, inside a match length`, op);
          length = input[pos]! | (input[pos + 1]! << 8);
          pos += 2;
          if (length === 0) {
            if (end - pos < 4) throw fail(`ends at input offset ${end}, inside a match length`, op);
            length = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
            pos += 4;
          }
          if (length < 15) throw fail(`has a match length field of ${length} (below 15) at input offset ${pos}`, op);
          length -= 15;
        }
        length += 15;
      }
      length += 3;
      const distanceBits = (symbol >>> 4) & 15;
      let distance = 1;
      if (distanceBits !== 0) {
        distance = (bits >>> (32 - distanceBits)) + (1 << distanceBits);
        bits <<= distanceBits;
        extra -= distanceBits;
        if (extra < 0) {
          if (end - pos >= 2) bits |= (input[pos]! | (input[pos + 1]! << 8)) << -extra;
          else if (beyond++ > 0) throw fail(`ends at input offset ${end}, inside a block`, op);
          pos += 2;
          extra += 16;
        }
      }
      if (distance > op) throw fail(`refers ${distance} bytes back, before its start`, op);
      if (length > expected - op) throw fail(`decompresses to more than ${expected} bytes`, op);
      op = copyMatch(out, op, distance, length);
    }
  }
  return out;
}
