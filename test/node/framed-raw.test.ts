/**
 * go-winpmem 4.x's compressed raw images: one Snappy- or S2-framed stream of the raw image. The real Linux capture
 * framed by an independent writer (test/helpers/framed-writer.ts) reads back as linux-a.raw (truth.json's SHA-256) and
 * linux.pslist lists truth.json's processes; hand-built S2 blocks with repeat offsets decode to the bytes intended;
 * a bad checksum, a cut chunk or a chunk claiming a huge length give clear errors.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { crc32c } from '../../src/formats/snappy/crc32c.ts';
import { decodeS2Block } from '../../src/formats/snappy/s2-block.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { concat } from '../fixtures/windows/encoding.ts';
import { framingChunk, IDENTIFIER, snappyDataChunk, writeFramedRaw } from '../helpers/framed-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { assertLinuxCapture } from '../helpers/raw-capture-checks.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('Snappy- and S2-framed raw images of the real Linux capture', { skip: linuxFixtureSkipReason() }, () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'memscope-framed-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  for (const kind of ['snappy', 's2'] as const) {
    it(`${kind}: reads back as linux-a.raw (truth.json SHA-256); linux.pslist lists the guest's processes`, async () => {
      const path = join(dir, `linux-a.${kind}`);
      writeFramedRaw(await linuxFixtureFile('linux-a.raw'), path, kind);
      const session = await openSession(await NodeFileSource.open(path), await createNodeEnv({ symbolDirs: [], cache: false }));
      try {
        assert.equal(session.physical.format, kind);
        assert.deepEqual(session.physical.warnings, []);
        await assertLinuxCapture(session);
      } finally {
        await session.close();
      }
    });
  }
});

/** An S2 block: its length as a varint, then its elements. */
function s2Block(length: number, ...elements: number[][]): Uint8Array {
  const varint: number[] = [];
  for (let v = length; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      varint.push(v);
      break;
    }
    varint.push((v & 0x7f) | 0x80);
  }
  return Uint8Array.from([...varint, ...elements.flat()]);
}
/** A literal of up to 60 bytes (tag (n-1)<<2). */
const literal = (text: string) => [(text.length - 1) << 2, ...ascii(text)];
/** A copy with a 2-byte offset (tag 10): length 1..64. */
const copy2 = (offset: number, length: number) => [((length - 1) << 2) | 2, offset & 0xff, offset >> 8];
/** S2's repeat: a 1-byte-offset copy with offset 0; `field` is the 3-bit length code, `extra` its length bytes. */
const repeat = (field: number, ...extra: number[]) => [(field << 2) | 1, 0, ...extra];

describe('CRC-32C', () => {
  it('gives the check values of RFC 3720 (iSCSI) B.4', () => {
    assert.equal(crc32c(ascii('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  });
});

describe('S2 blocks: repeat offsets (hand-built)', () => {
  it('a repeat copies again from the last offset, with each of its length forms', () => {
    // "abcd" then a copy (offset 4, length 4) sets the offset; repeats then reuse it.
    const prefix = [literal('abcd'), copy2(4, 4)];
    const cases: [number[], number][] = [
      [repeat(0), 4],
      [repeat(4), 8],
      [repeat(5, 9), 17],
      [repeat(6, 0x10, 0x01), 260 + 0x110],
      [repeat(7, 0x02, 0x00, 0x00), 65540 + 2],
    ];
    for (const [element, length] of cases) {
      const total = 8 + length;
      const decoded = decodeS2Block(s2Block(total, ...prefix, element), total);
      const intended = Uint8Array.from({ length: total }, (_, i) => 'abcd'.charCodeAt(i % 4));
      assert.deepEqual(decoded, intended, `repeat of ${length}`);
    }
  });

  it('a repeat after a different copy uses that copy’s offset; literals between do not reset it', () => {
    const block = s2Block(14, literal('xyzw'), literal('12'), copy2(6, 3), literal('Q'), repeat(0));
    // x y z w 1 2 | copy offset 6 len 3 → x y z | Q | repeat offset 6 len 4, from position 10 - 6 → 1 2 x y
    assert.equal(new TextDecoder().decode(decodeS2Block(block, 14)), 'xyzw12xyzQ12xy');
  });

  it('refuses a repeat before any offset, a copy reaching before the block, and a block longer than declared', () => {
    assert.throws(() => decodeS2Block(s2Block(8, literal('abcd'), repeat(0)), 8), /repeat copy before any offset/);
    assert.throws(() => decodeS2Block(s2Block(8, literal('abcd'), copy2(9, 4)), 8), /copy from offset 9/);
    assert.throws(() => decodeS2Block(s2Block(4, literal('abcdef')), 4), /literal past the block length/);
    assert.throws(() => decodeS2Block(s2Block(5, literal('abcd')), 4), /declares 5 bytes/);
  });
});

describe('framed raw images: errors and bounds (hand-built)', () => {
  const open = (parts: readonly Uint8Array[], name = 'memory.s2') => openImage(new MemorySource(concat(parts), name));
  const page = Uint8Array.from({ length: 0x10000 }, (_, i) => (i * 7) & 0xff);

  it('an S2 stream of hand-built blocks with repeats reads as the bytes intended, across chunks', async () => {
    const block = s2Block(12, literal('abcd'), copy2(4, 4), repeat(0));
    const layer = await open([IDENTIFIER.s2, snappyDataChunk(ascii('abcdabcdabcd'), () => block), snappyDataChunk(page)]);
    assert.equal(layer.format, 's2');
    assert.equal(layer.size, 12 + page.length);
    assert.equal(new TextDecoder().decode(await layer.read(0, 12)), 'abcdabcdabcd');
    assert.deepEqual(await layer.read(8, 8), concat([ascii('abcd'), page.subarray(0, 4)]));
  });

  it('padding and skippable chunks (S2’s index 0x99 among them) are passed over', async () => {
    const layer = await open(
      [IDENTIFIER.snappy, framingChunk(0xfe, new Uint8Array(5)), snappyDataChunk(page), framingChunk(0x99, ascii('s2idx'))],
      'm.snappy',
    );
    assert.equal(layer.format, 'snappy');
    assert.deepEqual(await layer.read(0, page.length), page);
  });

  it('a bad checksum → that chunk’s pages read as zeros, counted as damaged; a cut chunk → the chunks before it, with a warning', async () => {
    const bad = snappyDataChunk(page);
    bad[4] ^= 1;
    const layer = await open([IDENTIFIER.s2, snappyDataChunk(page), bad]);
    assert.deepEqual(await layer.read(0, 16), page.subarray(0, 16));
    assert.deepEqual(await layer.read(page.length, 16), new Uint8Array(16));
    assert.match(
      layer.damaged!.describe('s2'),
      new RegExp(`1 page could not be decoded .*page at physical 0x${page.length.toString(16)}: .*CRC-32C`),
    );
    const whole = concat([IDENTIFIER.s2, snappyDataChunk(page), snappyDataChunk(page)]);
    const cut = await openImage(new MemorySource(whole.subarray(0, whole.length - 100), 'cut.s2'));
    assert.equal(cut.size, page.length);
    assert.match(cut.warnings.join('\n'), /^file is truncated: the S2 stream breaks off in the chunk at file offset/);
  });

  it('a chunk claiming more than its framing allows → CORRUPT before anything is allocated', async () => {
    const claim = (n: number) => {
      const body = [0, 0, 0, 0];
      for (let v = n; ; v = Math.floor(v / 128)) {
        if (v < 128) {
          body.push(v);
          break;
        }
        body.push((v & 0x7f) | 0x80);
      }
      return framingChunk(0, Uint8Array.from(body));
    };
    await rejectsWith(open([IDENTIFIER.snappy, claim(65537)], 'm.snappy'), 'CORRUPT', 'more than the 65536');
    await rejectsWith(open([IDENTIFIER.s2, claim(4 * 1024 * 1024 + 1)]), 'CORRUPT', 'more than the 4194304');
    await rejectsWith(open([IDENTIFIER.s2, claim(2 ** 34)]), 'CORRUPT', 'claims 17179869184 bytes');
    await rejectsWith(open([IDENTIFIER.s2, framingChunk(0x02, new Uint8Array(4))]), 'CORRUPT', 'reserved');
    await rejectsWith(open([IDENTIFIER.s2, framingChunk(0xff, ascii('sNaPpY'))]), 'CORRUPT', 'bad stream identifier');
  });
});
