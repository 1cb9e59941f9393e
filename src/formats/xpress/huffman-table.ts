/** Codes are at most 15 bits long; the decoding table is indexed by the next 15 bits of the stream. */
export const TABLE_BITS = 15;
/** 512 symbols, each code length a nibble: 256 bytes before every block's bit stream. */
export const TABLE_BYTES = 256;

/**
 * Builds the decoding table of the canonical Huffman code whose lengths are the 256 bytes at `at` ([MS-XCA] 2.2.4:
 * symbol 2i's length is byte i's low nibble, symbol 2i+1's its high nibble; 0 = unused). Codes are assigned shortest
 * first, then by symbol, so each symbol owns a run of 2^(15 - length) entries of `table` (symbol << 4 | length) and
 * the runs follow each other from entry 0. Entries past the last run stay 0, which no symbol uses (its length would
 * be 0): an incomplete code is accepted and only a stream that uses a missing code fails. Returns what is wrong
 * when no symbol has a code or the lengths are not those of a prefix code (the runs would need more than the 2^15
 * entries), else undefined.
 */
export function buildDecodingTable(table: Uint16Array, input: Uint8Array, at: number): string | undefined {
  const counts = new Uint16Array(TABLE_BITS + 1);
  for (let i = 0; i < TABLE_BYTES; i++) {
    const b = input[at + i]!;
    counts[b & 15]++;
    counts[b >>> 4]++;
  }
  let used = 0;
  const starts = new Uint32Array(TABLE_BITS + 1);
  for (let length = 1; length <= TABLE_BITS; length++) {
    starts[length] = used;
    used += counts[length]! << (TABLE_BITS - length);
  }
  if (used === 0) return 'has a Huffman table with no codes';
  if (used > 1 << TABLE_BITS) return 'has a Huffman table that is not a prefix code (its code lengths oversubscribe the code space)';
  for (let symbol = 0; symbol < 2 * TABLE_BYTES; symbol++) {
    const b = input[at + (symbol >>> 1)]!;
    const length = symbol & 1 ? b >>> 4 : b & 15;
    if (length === 0) continue;
    const start = starts[length]!;
    const span = 1 << (TABLE_BITS - length);
    table.fill((symbol << 4) | length, start, start + span);
    starts[length] = start + span;
  }
  table.fill(0, used);
  return undefined;
}
