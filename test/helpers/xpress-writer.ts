// Test helper: Xpress compression, written from Microsoft's [MS-XCA] (2.1 LZ77+Huffman, 2.3 Plain LZ77), not from
// memscope's decoders. A greedy LZ77 pass (hash chains over 3-byte prefixes) finds literals and matches; the Plain
// encoder packs them behind 32-bit flag words, the Huffman encoder cuts them into blocks of 64 KiB of output, builds a
// length-limited Huffman code per block and writes its bit stream two 16-bit words ahead, as the decoder reads it.

/** A literal byte, or a match of `length` bytes copied from `distance` bytes back. */
export type Element = { literal: number } | { distance: number; length: number };

export interface XpressWriteOptions {
  /** Only literals: no matches. */
  readonly literalsOnly?: boolean;
  /** The longest match to emit (default: as long as the data repeats). */
  readonly maxLength?: number;
}

const MIN_MATCH = 3;
const HASH_BITS = 16;
const CHAIN_DEPTH = 8;

/** Greedy LZ77: at each position the longest match among the last CHAIN_DEPTH with the same 3-byte prefix. */
export function lz77Elements(data: Uint8Array, window: number, options: XpressWriteOptions = {}): Element[] {
  const maxLength = options.maxLength ?? Number.MAX_SAFE_INTEGER;
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(data.length);
  const hash = (i: number) => ((data[i]! * 506832829 + data[i + 1]! * 2654435761 + data[i + 2]! * 40503) >>> 0) & ((1 << HASH_BITS) - 1);
  const insert = (i: number) => {
    if (i + MIN_MATCH > data.length) return;
    const h = hash(i);
    prev[i] = head[h]!;
    head[h] = i;
  };
  const elements: Element[] = [];
  for (let i = 0; i < data.length;) {
    let best = 0;
    let bestDistance = 0;
    if (!options.literalsOnly && i + MIN_MATCH <= data.length) {
      const limit = Math.min(maxLength, data.length - i);
      for (let c = head[hash(i)]!, depth = 0; c >= 0 && i - c <= window && depth < CHAIN_DEPTH && best < limit; c = prev[c]!, depth++) {
        let n = 0;
        while (n < limit && data[c + n] === data[i + n]) n++;
        if (n > best) [best, bestDistance] = [n, i - c];
      }
    }
    if (best >= MIN_MATCH) {
      elements.push({ distance: bestDistance, length: best });
      for (const end = i + best; i < end; i++) insert(i);
    } else {
      elements.push({ literal: data[i]! });
      insert(i++);
    }
  }
  return elements;
}

/** A growing byte buffer with room reserved ahead and filled in later. */
class Bytes {
  private buffer = new Uint8Array(1024);
  length = 0;
  push(...bytes: number[]): void {
    if (this.length + bytes.length > this.buffer.length) {
      const bigger = new Uint8Array(2 * (this.length + bytes.length));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    for (const b of bytes) this.buffer[this.length++] = b;
  }
  le(value: number, size: number): void {
    for (let i = 0; i < size; i++) this.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  }
  setLe(at: number, value: number, size: number): void {
    for (let i = 0; i < size; i++) this.buffer[at + i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
  }
  orAt(at: number, value: number): void {
    this.buffer[at]! |= value;
  }
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** A long match's length bytes, the same in both formats: `rest` in a byte, or 255 then `whole` in 16 bits, or 255, 0 0 and 32 bits. */
function lengthBytes(out: Bytes, rest: number, whole: number): void {
  if (rest < 255) {
    out.push(rest);
  } else if (whole <= 0xffff) {
    out.push(255);
    out.le(whole, 2);
  } else {
    out.push(255, 0, 0);
    out.le(whole, 4);
  }
}

/**
 * [MS-XCA] 2.3: flags in a 32-bit word reserved before the 32 elements it describes (0 literal, 1 match, top bit
 * first; unused flags at the end set to 1), a match as ((distance - 1) << 3 | min(length - 3, 7)), longer lengths in a
 * half byte shared by two matches, then a byte, then 16 bits (or 0 and 32 bits) holding length - 3.
 */
export function compressPlainLz77(data: Uint8Array, options: XpressWriteOptions = {}): Uint8Array {
  const out = new Bytes();
  let flagsAt = 0;
  let flags = 0;
  let flagCount = 0;
  out.le(0, 4);
  let halfByteAt = -1;
  const matchBytes = (distance: number, length: number) => {
    out.le(((distance - 1) << 3) | Math.min(length - 3, 7), 2);
    if (length - 3 < 7) return;
    const nibble = Math.min(length - 3 - 7, 15);
    if (halfByteAt < 0) {
      halfByteAt = out.length;
      out.push(nibble);
    } else {
      out.orAt(halfByteAt, nibble << 4);
      halfByteAt = -1;
    }
    if (nibble === 15) lengthBytes(out, length - 3 - 7 - 15, length - 3);
  };
  const flag = (bit: number) => {
    flags = flags * 2 + bit;
    if (++flagCount === 32) {
      out.setLe(flagsAt, flags, 4);
      flagsAt = out.length;
      out.le(0, 4);
      [flags, flagCount] = [0, 0];
    }
  };
  for (const element of lz77Elements(data, 8192, options)) {
    if ('literal' in element) out.push(element.literal);
    else matchBytes(element.distance, element.length);
    // The flag follows its element's bytes: the next flag word is reserved after the 32nd element.
    flag('literal' in element ? 0 : 1);
  }
  out.setLe(flagsAt, flags * 2 ** (32 - flagCount) + 2 ** (32 - flagCount) - 1, 4);
  return out.bytes();
}

const BLOCK = 65536;
const EOF = 256;
const MAX_CODE = 15;

/** The Huffman symbol of a match: 256 + (floor(log2(distance)) << 4 | min(length - 3, 15)). */
function matchSymbol(distance: number, length: number): number {
  return 256 + ((31 - Math.clz32(distance)) << 4) + Math.min(length - 3, 15);
}

/** Code lengths of a Huffman code for `counts`, limited to 15 bits by flattening the counts until it fits. */
export function huffmanLengths(counts: readonly number[]): Uint8Array {
  const lengths = new Uint8Array(counts.length);
  const used = counts.flatMap((count, symbol) => (count > 0 ? [symbol] : []));
  if (used.length === 1) lengths[used[0]!] = 1;
  if (used.length <= 1) return lengths;
  const n = used.length;
  for (let weights = counts.slice(); ; weights = weights.map((w) => (w > 0 ? Math.max(1, w >> 1) : 0))) {
    // Two queues: the leaves by weight, and the merged nodes (made in order of weight); each merge takes the two
    // lightest fronts. Node i < n is leaf i; parents always have higher numbers than their children.
    const leaves = used.slice().sort((a, b) => weights[a]! - weights[b]! || a - b);
    const weight = leaves.map((s) => weights[s]!);
    const parent = new Int32Array(2 * n - 1);
    let leaf = 0;
    let merged = n;
    const lightest = () => (leaf < n && (merged >= weight.length || weight[leaf]! <= weight[merged]!) ? leaf++ : merged++);
    while (weight.length < 2 * n - 1) {
      const [a, b] = [lightest(), lightest()];
      parent[a] = parent[b] = weight.push(weight[a]! + weight[b]!) - 1;
    }
    const depth = new Uint8Array(2 * n - 1);
    for (let node = 2 * n - 3; node >= 0; node--) depth[node] = depth[parent[node]!]! + 1;
    leaves.forEach((symbol, i) => (lengths[symbol] = depth[i]!));
    if (Math.max(...depth) <= MAX_CODE) return lengths;
  }
}

/** Canonical codes for `lengths`: shortest first, then by symbol, each the previous one plus one. */
function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const codes = new Uint32Array(lengths.length);
  let code = 0;
  for (let length = 1; length <= MAX_CODE; length++, code <<= 1) {
    lengths.forEach((l, symbol) => {
      if (l === length) codes[symbol] = code++;
    });
  }
  return codes;
}

/**
 * The bit stream of one block: bits are gathered top bit first into 16-bit words, each stored little-endian in a slot
 * reserved two words ahead; a word is stored once more than 16 bits wait, so the bytes of a long match length land
 * exactly where the decoder, which reads 32 bits ahead and refills after using more than 16, looks for them.
 */
class BitStream {
  private slots: number[];
  private pending = 0;
  private count = 0;
  constructor(private readonly out: Bytes) {
    this.slots = [out.length, out.length + 2];
    out.le(0, 4);
  }
  bits(value: number, count: number): void {
    this.pending = this.pending * 2 ** count + value;
    this.count += count;
    if (this.count > 16) {
      this.count -= 16;
      this.out.setLe(this.slots.shift()!, Math.floor(this.pending / 2 ** this.count) & 0xffff, 2);
      this.pending %= 2 ** this.count;
      this.slots.push(this.out.length);
      this.out.le(0, 2);
    }
  }
  /** The last bits, padded with zeros; the slot after them stays zero. */
  finish(): void {
    this.out.setLe(this.slots[0]!, this.pending * 2 ** (16 - this.count), 2);
  }
}

/**
 * [MS-XCA] 2.1: the LZ77 elements cut into blocks, each closed once it covers 65536 bytes of output (a match may run
 * past, as Windows' encoder does), the last one ending with the end-of-file symbol. Each block is its 512 code lengths
 * as nibbles (low nibble: even symbol), then its symbols, a match followed by its length bytes (length - 3 ≥ 15: a
 * byte of length - 18, or 255 and 16 bits of length - 3, or 255, 0 and 32 bits) and its distance's low bits.
 */
export function compressLz77Huffman(data: Uint8Array, options: XpressWriteOptions = {}): Uint8Array {
  const blocks: Element[][] = [[]];
  let covered = 0;
  for (const element of lz77Elements(data, 65535, options)) {
    if (covered >= BLOCK) {
      blocks.push([]);
      covered = 0;
    }
    blocks[blocks.length - 1]!.push(element);
    covered += 'literal' in element ? 1 : element.length;
  }
  const out = new Bytes();
  blocks.forEach((block, index) => {
    const last = index === blocks.length - 1;
    const counts = new Array<number>(512).fill(0);
    for (const e of block) counts['literal' in e ? e.literal : matchSymbol(e.distance, e.length)]++;
    if (last) counts[EOF]++;
    const lengths = huffmanLengths(counts);
    const codes = canonicalCodes(lengths);
    for (let i = 0; i < 256; i++) out.push(lengths[2 * i]! | (lengths[2 * i + 1]! << 4));
    const stream = new BitStream(out);
    const symbol = (s: number) => stream.bits(codes[s]!, lengths[s]!);
    for (const e of block) {
      if ('literal' in e) {
        symbol(e.literal);
        continue;
      }
      symbol(matchSymbol(e.distance, e.length));
      const long = e.length - 3;
      if (long >= 15) lengthBytes(out, long - 15, long);
      const distanceBits = 31 - Math.clz32(e.distance);
      stream.bits(e.distance - 2 ** distanceBits, distanceBits);
    }
    if (last) symbol(EOF);
    stream.finish();
  });
  return out.bytes();
}
