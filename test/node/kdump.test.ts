import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openImage } from '../../src/formats/detect.ts';
import { lzo1xDecompress } from '../../src/formats/lzo1x.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/io/node-file-source.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { KDUMP_BLOCK, writeKdump, zstdAvailable, type PageCodec } from '../helpers/kdump-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (number | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...text(p)])));

/** Hand-assembled LZO1X streams (lzo1x_decompress_safe's instruction set) and what they decode to. */
const LZO_CASES: [string, Uint8Array, string][] = [
  ['first-byte literal run', bytes(17 + 5, 'hello', 0x11, 0, 0), 'hello'],
  ['M3 overlapping match', bytes(17 + 4, 'abcd', 32 + 6, 12, 0, 0x11, 0, 0), 'abcdabcdabcd'],
  ['M2 match with trailing literals, then a 2-byte short match', bytes(17 + 4, 'abcd', 66, 0, 'XY', 4, 0, 0x11, 0, 0), 'abcddddXYXY'],
  ['extended literal run', bytes(0, 0, 27, 'z'.repeat(300), 0x11, 0, 0), 'z'.repeat(300)],
];

function page(seed: number): Uint8Array {
  const p = new Uint8Array(KDUMP_BLOCK);
  for (let i = 0; i < p.length; i++) p[i] = (i * seed + (i >> 7)) & 0xff;
  return p;
}

describe('LZO1X decompressor', () => {
  for (const [name, stream, expected] of LZO_CASES) {
    it(name, () => assert.equal(new TextDecoder().decode(lzo1xDecompress(stream, 4096)), expected));
  }
  it('refuses damaged streams instead of overrunning', () => {
    assert.throws(() => lzo1xDecompress(bytes(17 + 5, 'hel'), 4096), /ends/);
    assert.throws(() => lzo1xDecompress(bytes(17 + 4, 'abcd', 32 + 6, 0xfc, 0xff, 0x11, 0, 0), 4096), /before its start/);
    assert.throws(() => lzo1xDecompress(bytes(0, 0, 27, 'z'.repeat(300), 0x11, 0, 0), 100), /more than 100 bytes/);
    assert.throws(() => lzo1xDecompress(new Uint8Array(0), 10), /empty/);
  });
});

describe('kdump-compressed files (generated)', () => {
  const vmcoreinfo = 'OSRELEASE=6.1.0-test\nSYMBOL(_stext)=ffffffff81000000\n';
  const lzoPage = new Uint8Array(KDUMP_BLOCK).fill(0x7a);
  const pages = new Map<number, { data: Uint8Array; codec: PageCodec }>([
    [0, { data: page(3), codec: 'zlib' }],
    [1, { data: page(5), codec: 'snappy' }],
    [2, { data: page(7), codec: 'stored' }],
    // LZO: a 4-byte literal, then one overlapping M3 match (length 31 + 15 × 255 + 6 + 2 = 4092) fills the page.
    [5, { data: lzoPage, codec: { lzo: bytes(17 + 4, 'zzzz', 32, ...Array(15).fill(0), 4092 - 2 - 31 - 15 * 255, 0, 0, 0x11, 0, 0) } }],
  ]);
  if (zstdAvailable()) pages.set(9, { data: page(11), codec: 'zstd' });

  it('reads every codec back, dumped pages as runs, the rest as zeros, VMCOREINFO as a note', async () => {
    const file = writeKdump(pages, 64, vmcoreinfo);
    const layer = await openImage(new MemorySource(file, 'test.kdump'));
    assert.equal(layer.format, 'kdump');
    assert.equal(layer.size, 64 * KDUMP_BLOCK);
    assert.equal(layer.capturedBytes, pages.size * KDUMP_BLOCK);
    for (const [pfn, { data }] of pages) assert.deepEqual(await layer.read(pfn * KDUMP_BLOCK, KDUMP_BLOCK), data, `page ${pfn}`);
    assert.deepEqual(await layer.read(3 * KDUMP_BLOCK, 2 * KDUMP_BLOCK), new Uint8Array(2 * KDUMP_BLOCK));
    assert.deepEqual(await layer.read(KDUMP_BLOCK - 10, 20), Uint8Array.from([...page(3).subarray(KDUMP_BLOCK - 10), ...page(5).subarray(0, 10)]));
    assert.deepEqual(layer.runs.slice(0, 2), [
      { start: 0, length: 3 * KDUMP_BLOCK, fileOffset: -1 },
      { start: 5 * KDUMP_BLOCK, length: KDUMP_BLOCK, fileOffset: -1 },
    ]);
    assert.equal(new TextDecoder().decode(layer.notes.find((n) => n.name === 'VMCOREINFO')!.desc), vmcoreinfo);
  });

  it('truncated or corrupt files give TRUNCATED / CORRUPT naming the file', async () => {
    const file = writeKdump(pages, 64, vmcoreinfo);
    await rejectsWith(openImage(new MemorySource(file.subarray(0, 3 * KDUMP_BLOCK), 'cut.kdump')), 'TRUNCATED', 'cut.kdump');
    const cut = await openImage(new MemorySource(file.subarray(0, file.length - 100), 'cut2.kdump'));
    const last = Math.max(...pages.keys());
    await rejectsWith(cut.read(last * KDUMP_BLOCK, 16), 'CORRUPT', 'cut2.kdump');
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(428, 3000, true);
    await rejectsWith(openImage(new MemorySource(bad, 'bad.kdump')), 'CORRUPT', 'block size');
    const badData = file.slice();
    const firstDescriptor = (2 + 2) * KDUMP_BLOCK;
    new DataView(badData.buffer).setUint32(firstDescriptor + 8, 9999, true);
    await rejectsWith((await openImage(new MemorySource(badData, 'd.kdump'))).read(0, 16), 'CORRUPT', 'page at physical 0x0');
  });

  it('refuses flattened makedumpfile streams with the conversion command', async () => {
    const flat = new Uint8Array(8192);
    flat.set(text('makedumpfile'));
    await rejectsWith(openImage(new MemorySource(flat, 'vmcore.flat')), 'UNSUPPORTED', 'makedumpfile -R');
  });
});

describe('the real kdump capture', { skip: linuxFixtureSkipReason() }, () => {
  it('has the header the guest’s truth records and the same bytes as the raw and ELF captures', async () => {
    const truth = linuxTruth();
    const facts = truth['kdump'] as { block_size: number; max_mapnr: number; size_vmcoreinfo: number };
    const kdump = await openImage(await NodeFileSource.open(await linuxFixtureFile('linux-a.kdump')));
    const raw = await openImage(await NodeFileSource.open(await linuxFixtureFile('linux-a.raw')));
    const elf = await openImage(await NodeFileSource.open(await linuxFixtureFile('linux-a.elf')));
    assert.equal(kdump.size, facts.max_mapnr * facts.block_size);
    const info = new TextDecoder().decode(kdump.notes.find((n) => n.name === 'VMCOREINFO')!.desc);
    assert.equal(info.length, facts.size_vmcoreinfo);
    for (const [key, value] of Object.entries(truth.vmcoreinfo.fields)) assert.ok(info.includes(`${key}=${value}\n`), key);
    assert.equal(kdump.capturedBytes, elf.capturedBytes);
    const chunk = 4 * 1024 * 1024;
    for (let at = 0; at < raw.size; at += chunk) {
      assert.ok(Buffer.from(await kdump.read(at, chunk)).equals(Buffer.from(await raw.read(at, chunk))), `bytes at 0x${at.toString(16)}`);
    }
    const rom = Number(truth.physical_ranges[1]!.start);
    assert.ok(Buffer.from(await kdump.read(rom, 0x40000)).equals(Buffer.from(await elf.read(rom, 0x40000))), 'BIOS ROM range');
  });
});
