/**
 * Decodes one S2 block (klauspost/compress/s2): Snappy's block format (a varint length, then literals and copies with
 * 1-, 2- or 4-byte offsets) plus S2's repeat copies: a 1-byte-offset copy whose offset is 0 repeats the last offset
 * used in the block, its 3-bit length field meaning 4..8, or 8 + one byte, 260 + two bytes, 65540 + three bytes.
 * Snappy blocks are S2 blocks without repeats. Throws on anything malformed, and before writing past `expected` bytes.
 */
/** From this length on, a literal or copy is moved with one call; shorter ones byte by byte are faster. */
const LONG = 32;

export function decodeS2Block(src: Uint8Array, expected: number): Uint8Array {
  let s = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (s >= src.length || shift > 28) throw new Error('bad block length');
    const b = src[s++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (length !== expected) throw new Error(`block declares ${length} bytes, not ${expected}`);
  const dst = new Uint8Array(length);
  let d = 0;
  let offset = 0;
  const need = (n: number) => {
    if (s + n > src.length) throw new Error('block ends inside an element');
  };
  const little = (n: number) => {
    need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v += src[s + i]! * 2 ** (8 * i);
    s += n;
    return v;
  };
  while (s < src.length) {
    const tag = src[s++]!;
    let copy: number;
    switch (tag & 3) {
      case 0: {
        let n = tag >>> 2;
        if (n >= 60) n = little(n - 59);
        n += 1;
        need(n);
        if (d + n > length) throw new Error('literal past the block length');
        if (n >= LONG) {
          dst.set(src.subarray(s, s + n), d);
          s += n;
          d += n;
        } else {
          for (let i = 0; i < n; i++) dst[d++] = src[s++]!;
        }
        continue;
      }
      case 1: {
        need(1);
        const low = src[s++]!;
        const at = ((tag & 0xe0) << 3) | low;
        const field = (tag >>> 2) & 7;
        if (at !== 0) {
          offset = at;
          copy = field + 4;
        } else {
          if (offset === 0) throw new Error('a repeat copy before any offset');
          copy = field === 5 ? little(1) + 8 : field === 6 ? little(2) + 260 : field === 7 ? little(3) + 65540 : field + 4;
        }
        break;
      }
      case 2:
        copy = (tag >>> 2) + 1;
        offset = little(2);
        break;
      default:
        copy = (tag >>> 2) + 1;
        offset = little(4);
    }
    if (offset === 0 || offset > d) throw new Error(`copy from offset ${offset} at ${d}`);
    if (d + copy > length) throw new Error('copy past the block length');
    if (copy >= LONG && offset >= copy) {
      dst.copyWithin(d, d - offset, d - offset + copy);
      d += copy;
    } else {
      // Short, or overlapping its own output (offset < length repeats a pattern): byte by byte.
      for (let i = 0; i < copy; i++, d++) dst[d] = dst[d - offset]!;
    }
  }
  if (d !== length) throw new Error(`block decodes to ${d} bytes, not ${length}`);
  return dst;
}
