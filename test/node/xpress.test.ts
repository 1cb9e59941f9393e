/**
 * The Xpress decoders of [MS-XCA] (hiberfil.sys's codecs): the specification's own examples (section 3), a stream
 * Windows wrote (a match longer than the 64 KiB block), round trips through the test writer
 * (test/helpers/xpress-writer.ts, written from the specification's compression sections) over every length escape,
 * literals-only and multi-block streams, and hostile streams: truncated, referring before the start, tables that are
 * not prefix codes, codes a table lacks, more output than expected, and random damage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { decompressLz77Huffman } from '../../src/formats/xpress/lz77-huffman.ts';
import { decompressPlainLz77 } from '../../src/formats/xpress/plain-lz77.ts';
import { compressLz77Huffman, compressPlainLz77, lz77Elements, type XpressWriteOptions } from '../helpers/xpress-writer.ts';

/** Hex bytes as the specification prints them; `00*n` stands for n zero bytes. */
const hex = (text: string) =>
  Uint8Array.from(
    text
      .trim()
      .split(/\s+/)
      .flatMap((t) => (t.startsWith('00*') ? Array<number>(Number(t.slice(3))).fill(0) : [parseInt(t, 16)])),
  );
const ascii = (text: string) => new TextEncoder().encode(text);
const ABC = ascii('abc'.repeat(100));
const ALPHABET = ascii('abcdefghijklmnopqrstuvwxyz');

const CODECS = {
  plain: { compress: compressPlainLz77, decompress: decompressPlainLz77, window: 8192 },
  huffman: { compress: compressLz77Huffman, decompress: decompressLz77Huffman, window: 65535 },
};

/** A CORRUPT MemscopeError whose message matches `pattern`. */
function corrupt(pattern: RegExp) {
  return (e: unknown) => isMemscopeError(e) && e.code === 'CORRUPT' && pattern.test(e.message);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(length: number, seed: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, x = seed; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % alphabet;
  }
  return out;
}

/** Text-like data with repeats at every distance: words from a small vocabulary, periodic runs, random bits. */
function mixed(length: number, seed: number): Uint8Array {
  const words = ['process', 'thread', '\\Device\\HarddiskVolume3', 'ntoskrnl.exe', '\0\0\0\0\0\0', 'ababababab', 'xyzxyzxyzxyz'];
  const picks = noise(length, seed, words.length * 2);
  const out = new Uint8Array(length);
  for (let at = 0, i = 0; at < length; i++) {
    const pick = picks[i]!;
    const bytes = pick < words.length ? ascii(words[pick]!) : noise(pick, seed + i);
    out.set(bytes.subarray(0, length - at), at);
    at += bytes.length;
  }
  return out;
}

describe('[MS-XCA] section 3 examples', () => {
  // 3.1 LZ77: "abcdefghijklmnopqrstuvwxyz" as 26 literals behind one flag word (26 zero bits, then ones).
  const PLAIN_ALPHABET = hex('3f 00 00 00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 78 79 7a');
  // 3.1 LZ77: "abc" × 100 as abc[match: distance = 3, length = 297].
  const PLAIN_ABC = hex('ff ff ff 1f 61 62 63 17 00 0f ff 26 01');
  // 3.2 LZ77+Huffman: the alphabet as literals: 256 bytes of code lengths (5 or 4 bits for a..z, 4 for EOF at 256),
  // then the Huffman encoding of abcdefghijklmnopqrstuvwxyz[EOF].
  const HUFFMAN_ALPHABET = hex(
    '00*48 50 55 55 55 55 55 55 55 55 55 55 45 44 04 00*66 04 00*127 d8 52 3e d7 94 11 5b e9 19 5f f9 d6 7c df 8d 04 00 00 00 00',
  );
  // 3.2 LZ77+Huffman: "abc" × 100: lengths a 3, b 3, c 2, EOF 2, symbol 287 (length escape, distance bits 1) 2; the
  // bit stream, then the escaped length 297 - 3 = 0x0126 behind a 255 byte.
  const HUFFMAN_ABC = hex('00*48 30 23 00*78 02 00*14 20 00*112 a8 dc 00 00 ff 26 01');

  it('3.1 Plain LZ77: the alphabet and "abc" × 100', () => {
    assert.deepEqual(decompressPlainLz77(PLAIN_ALPHABET, 26), ALPHABET);
    assert.deepEqual(decompressPlainLz77(PLAIN_ABC, 300), ABC);
  });

  it('3.2 LZ77+Huffman: the alphabet and "abc" × 100', () => {
    assert.equal(HUFFMAN_ALPHABET.length, 256 + 20);
    assert.equal(HUFFMAN_ABC.length, 256 + 7);
    assert.deepEqual(decompressLz77Huffman(HUFFMAN_ALPHABET, 26), ALPHABET);
    assert.deepEqual(decompressLz77Huffman(HUFFMAN_ABC, 300), ABC);
  });

  it("the test writer's Plain LZ77 output is the specification's, byte for byte", () => {
    assert.deepEqual(compressPlainLz77(ALPHABET), PLAIN_ALPHABET);
    assert.deepEqual(compressPlainLz77(ABC), PLAIN_ABC);
  });

  it('a stream from Windows: 65537 zeros as one block whose match (length 0xfffd + 3) runs past 64 KiB', () => {
    // RtlCompressBuffer's output quoted on Samba's cifs-protocol list (2022-11-01, "[MS-XCA] LZ77 + Huffman: is
    // sometimes slightly more than 64k encoded in as block?"): lengths 2 for literal 0 and EOF, 1 for symbol 0x10f.
    const windows = hex('02 00*127 02 00*6 10 00*120 00 98 00 00 ff fd ff');
    assert.deepEqual(decompressLz77Huffman(windows, 65537), new Uint8Array(65537));
  });
});

describe('round trips through the test writer', () => {
  const inputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0x41)],
    ['text with repeats, 3.5 blocks', mixed(3.5 * 65536, 7)],
    ['random bytes (literals, few matches)', noise(100_000, 3)],
    ['zeros, 300 000 (one match of 299 999: the 32-bit length)', new Uint8Array(300_000)],
  ];
  for (const [name, codec] of Object.entries(CODECS)) {
    for (const [what, data] of inputs) {
      for (const options of [{}, { literalsOnly: true }] as XpressWriteOptions[]) {
        it(`${name}: ${what}${options.literalsOnly ? ', literals only' : ''}`, () => {
          assert.deepEqual(codec.decompress(codec.compress(data, options), data.length), data);
        });
      }
    }
  }

  // Lengths at each edge of the escapes: the 3 bits (plain) or 4 bits (huffman) of the symbol, the half byte (plain),
  // the byte, the 16 bits after a 255 byte (up to 0xffff + 3), the 32 bits after 255 0 0.
  const edges = { plain: [9, 10, 24, 25, 279, 280, 65538, 65539, 70_000], huffman: [17, 18, 272, 273, 65538, 65539, 70_000] };
  for (const [name, codec] of Object.entries(CODECS)) {
    for (const length of edges[name as keyof typeof edges]) {
      it(`${name}: matches of exactly ${length} bytes`, () => {
        const data = new Uint8Array(3 * length + 1000);
        data.set(noise(500, length), 0);
        data.set(noise(500, length + 1), data.length - 500);
        const options = { maxLength: length };
        assert.ok(lz77Elements(data, codec.window, options).some((e) => 'length' in e && e.length === length));
        assert.deepEqual(codec.decompress(codec.compress(data, options), data.length), data);
      });
    }
  }

  it('huffman: matches at every distance bit count (1 .. 15)', () => {
    const data = mixed(140_000, 11);
    const distances = new Set(lz77Elements(data, 65535).flatMap((e) => ('distance' in e ? [31 - Math.clz32(e.distance)] : [])));
    for (let bits = 0; bits <= 15; bits++) assert.ok(distances.has(bits), `a distance with ${bits} extra bits`);
    assert.deepEqual(decompressLz77Huffman(compressLz77Huffman(data), data.length), data);
  });
});

describe('hostile streams', () => {
  for (const [name, codec] of Object.entries(CODECS)) {
    it(`${name}: truncated streams say where they end`, () => {
      const data = mixed(100_000, 5);
      const stream = codec.compress(data);
      for (const cut of [0, 3, 100, 255, 257, stream.length >> 1, stream.length - 40]) {
        assert.throws(() => codec.decompress(stream.subarray(0, cut), data.length), corrupt(/ends/), `cut at ${cut}`);
      }
    });

    it(`${name}: asking for more bytes than the stream holds fails; fewer stop there or fail on the overrun`, () => {
      const stream = codec.compress(ABC);
      assert.throws(() => codec.decompress(stream, 400), corrupt(/ends|more than/));
      assert.throws(() => codec.decompress(stream, 200), corrupt(/more than 200 bytes/));
      assert.deepEqual(codec.decompress(stream, 3), ascii('abc'));
    });

    it(`${name}: random damage gives the expected bytes or CORRUPT, never another error or a hang`, () => {
      const data = mixed(20_000, 9);
      const stream = codec.compress(data);
      const random = noise(3 * 500, 77);
      for (let round = 0; round < 500; round++) {
        const damaged = stream.slice();
        damaged[((random[3 * round]! << 8) | random[3 * round + 1]!) % damaged.length] ^= 1 + random[3 * round + 2]!;
        try {
          assert.equal(codec.decompress(damaged, data.length).length, data.length);
        } catch (e) {
          assert.ok(isMemscopeError(e) && e.code === 'CORRUPT', `round ${round}: ${String(e)}`);
        }
      }
    });
  }

  it('plain: a match before the first byte, and a 16-bit length below 22', () => {
    assert.throws(() => decompressPlainLz77(hex('00 00 00 80 00 00'), 10), corrupt(/refers 1 bytes back at output offset 0/));
    assert.throws(() => decompressPlainLz77(hex('00 00 00 08 61 62 63 61 17 00 0f ff 15 00'), 100), corrupt(/length field of 21/));
  });

  /** A one-block LZ77+Huffman stream: code lengths by symbol, then the stream's bytes. */
  const huffman = (lengths: Record<number, number>, stream: string) => {
    const table = new Uint8Array(256);
    for (const [symbol, length] of Object.entries(lengths)) table[Number(symbol) >> 1]! |= length << (Number(symbol) & 1 ? 4 : 0);
    return new Uint8Array([...table, ...hex(stream)]);
  };

  it('huffman: code lengths that are not a prefix code, or no code at all', () => {
    assert.throws(() => decompressLz77Huffman(huffman({ 0: 1, 1: 1, 2: 1 }, '00 00 00 00'), 4), corrupt(/not a prefix code/));
    assert.throws(
      () => decompressLz77Huffman(huffman({ 97: 2, 98: 2, 99: 2, 100: 2, 101: 3, 102: 3 }, '00 00 00 00'), 4),
      corrupt(/not a prefix code/),
    );
    assert.throws(() => decompressLz77Huffman(huffman({}, '00 00 00 00'), 4), corrupt(/no codes/));
  });

  it('huffman: an incomplete code decodes what it defines and fails on a code it lacks', () => {
    // One symbol, 'a', with the 1-bit code 0: the code 1 is undefined.
    assert.deepEqual(decompressLz77Huffman(huffman({ 97: 1 }, '00 00 00 00'), 5), ascii('aaaaa'));
    assert.throws(
      () => decompressLz77Huffman(huffman({ 97: 1 }, '00 20 00 00'), 5),
      corrupt(/code its table does not define \(at output offset 2\)/),
    );
  });

  it('huffman: a match before the first byte, and a 16-bit length below 15', () => {
    // 'a' has code 0, match symbol 257 (length 4, distance 1) code 1; the stream starts with the match.
    assert.throws(() => decompressLz77Huffman(huffman({ 97: 1, 257: 1 }, '00 80 00 00'), 10), corrupt(/refers 1 bytes back, before its start/));
    // 'a', then symbol 271 (escaped length, distance 1): 255, then 16 bits of 14.
    assert.throws(() => decompressLz77Huffman(huffman({ 97: 1, 271: 1 }, '00 40 00 00 ff 0e 00'), 100), corrupt(/length field of 14/));
  });
});
