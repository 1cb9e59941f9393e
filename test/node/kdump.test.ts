import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openImage } from '../../src/formats/detect.ts';
import { readKdumpHeader } from '../../src/formats/kdump-header.ts';
import { lzo1xDecompress } from '../../src/formats/lzo1x.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { ContainerNote, PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { FLAGS, KDUMP_BLOCK, lzo1xBlocks, toolAvailable, writeKdump, zstdFrame, type PageCodec } from '../helpers/kdump-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (number | string | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...text(p)] : [...p])));
const sequence = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 5)) & 0xff);
const concat = (...parts: Uint8Array[]) => bytes(...parts);
const END = [0x11, 0, 0];

/** Hand-assembled LZO1X streams (lzo1x_decompress_safe's instruction set) and what they decode to. */
const LZO_CASES: [string, Uint8Array, Uint8Array][] = [
  ['first-byte literal run', bytes(17 + 5, 'hello', ...END), text('hello')],
  ['M3 overlapping match', bytes(17 + 4, 'abcd', 32 + 6, 12, 0, ...END), text('abcdabcdabcd')],
  ['M2 match with trailing literals, then a 2-byte M1 match', bytes(17 + 4, 'abcd', 66, 0, 'XY', 4, 0, ...END), text('abcddddXYXY')],
  ['extended literal run', bytes(0, 0, 27, 'z'.repeat(300), ...END), text('z'.repeat(300))],
  // 2100 = 3 + 15 + 8 × 255 + 42 literals; then a 3-byte M1 match at distance 2049 + 1 + (3 << 2) and 2 literals.
  [
    'M1 match after a literal run',
    bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 42, sequence(2100), 6, 3, 'QR', ...END),
    concat(sequence(2100), sequence(2100).subarray(38, 41), text('QR')),
  ],
  // 16500 literals; then an M4 match of 7 bytes at distance 16384 + (0x191 >> 2) and 0x191 & 3 = 1 literal.
  [
    'M4 match',
    bytes(0, ...Array(64).fill(0), 162, sequence(16500), 16 + 5, 0x91, 0x01, 'Z', ...END),
    concat(sequence(16500), sequence(16500).subarray(16, 23), text('Z')),
  ],
];

function page(seed: number): Uint8Array {
  const p = new Uint8Array(KDUMP_BLOCK);
  for (let i = 0; i < p.length; i++) p[i] = (i * seed + (i >> 7)) & 0xff;
  return p;
}

/** An ELF note (namesz, descsz, type, name, desc; 4-byte aligned). */
function elfNote(name: string, type: number, desc: Uint8Array): Uint8Array {
  const pad = (b: Uint8Array) => concat(b, new Uint8Array((4 - (b.length % 4)) % 4));
  const head = new Uint8Array(12);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, name.length + 1, true);
  dv.setUint32(4, desc.length, true);
  dv.setUint32(8, type, true);
  return concat(head, pad(bytes(name, 0)), pad(desc));
}

describe('LZO1X decompressor', () => {
  for (const [name, stream, expected] of LZO_CASES) {
    it(name, () => assert.deepEqual(lzo1xDecompress(stream, 65536), expected));
  }

  it('decodes what liblzo (lzop -1, -3, -9) compressed', { skip: toolAvailable('lzop') ? false : 'lzop is not installed' }, () => {
    let lcg = 1;
    const inputs: Uint8Array[] = [
      text(JSON.stringify(LZO_CASES.map(([name]) => name)).repeat(50)),
      Uint8Array.from({ length: 200_000 }, (_, i) => (i % 997 === 0 ? i & 0xff : 0)),
      // Random bytes and back-references up to 40000 bytes away (M4 matches).
      (() => {
        const a = new Uint8Array(120_000);
        for (let i = 0; i < a.length; i++) {
          lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
          a[i] = (lcg >>> 24) % 5 === 0 ? lcg & 0xff : a[Math.max(0, i - ((lcg >>> 8) % 40000) - 1)]!;
        }
        return a;
      })(),
    ];
    let compared = 0;
    for (const level of [1, 3, 9] as const) {
      for (const input of inputs) {
        let at = 0;
        for (const block of lzo1xBlocks(input, level)) {
          if (block.lzo) {
            assert.deepEqual(lzo1xDecompress(block.lzo, block.length), input.subarray(at, at + block.length), `level ${level} block at ${at}`);
            compared++;
          }
          at += block.length;
        }
        assert.equal(at, input.length);
      }
    }
    assert.ok(compared >= 9);
  });

  it('refuses damaged streams instead of overrunning', () => {
    assert.throws(() => lzo1xDecompress(bytes(17 + 5, 'hel'), 4096), /ends/);
    assert.throws(() => lzo1xDecompress(bytes(17 + 4, 'abcd', 32 + 6, 0xfc, 0xff, ...END), 4096), /before its start/);
    assert.throws(() => lzo1xDecompress(bytes(0, 0, 27, 'z'.repeat(300), ...END), 100), /more than 100 bytes/);
    assert.throws(() => lzo1xDecompress(bytes(17 + 4, 'abcd', 32 + 6, 12, 0), 4096), /ends early/);
    assert.throws(() => lzo1xDecompress(bytes(0, ...Array(1000).fill(0)), 1 << 20), /ends early|endless/);
    assert.throws(() => lzo1xDecompress(new Uint8Array(0), 10), /empty/);
  });
});

describe('kdump-compressed files (generated)', () => {
  const vmcoreinfo = 'OSRELEASE=6.1.0-test\nSYMBOL(_stext)=ffffffff81000000\n';
  const prstatus = sequence(336);
  const notes = concat(elfNote('CORE', 1, prstatus), elfNote('VMCOREINFO', 0, text('stale copy\n')));
  // A 4-byte literal, then one overlapping M3 match (length 31 + 15 × 255 + 6 + 2 = 4092) fills the page.
  const handLzo = bytes(17 + 4, 'zzzz', 32, ...Array(15).fill(0), 4092 - 31 - 15 * 255 - 2, 0, 0, ...END);
  const pages = new Map<number, { data: Uint8Array; codec: PageCodec }>([
    [0, { data: page(3), codec: 'zlib' }],
    [1, { data: page(5), codec: 'snappy' }],
    [2, { data: page(7), codec: 'stored' }],
    [5, { data: new Uint8Array(KDUMP_BLOCK).fill(0x7a), codec: { bytes: handLzo, flags: FLAGS.lzo } }],
    [40, { data: page(13), codec: 'zlib' }],
    [41, { data: page(17), codec: 'zlib' }],
    [63, { data: page(19), codec: 'zlib' }],
  ]);
  if (toolAvailable('zstd')) pages.set(9, { data: page(11), codec: 'zstd' });
  if (toolAvailable('lzop')) pages.set(10, { data: page(23), codec: 'lzo' });
  const last = Math.max(...pages.keys());
  const generated = () => writeKdump(pages, 64, vmcoreinfo, notes);
  /** All 64 pages as the writer was given them, zeros where none was dumped. */
  const whole = (except: number[] = []) => {
    const all = new Uint8Array(64 * KDUMP_BLOCK);
    for (const [pfn, { data }] of pages) if (!except.includes(pfn)) all.set(data, pfn * KDUMP_BLOCK);
    return all;
  };
  const open = (file: Uint8Array, name = 'test.kdump') => openImage(new MemorySource(file, name));
  const patched = (edit: (dv: DataView, descriptorsAt: number) => void) => {
    const { file, descriptorsAt } = generated();
    edit(new DataView(file.buffer), descriptorsAt);
    return file;
  };
  const descriptorOfPage0 = (dv: DataView, at: number) => ({ offset: Number(dv.getBigInt64(at, true)), size: dv.getUint32(at + 8, true) });

  it('reads every codec back, dumped pages as runs, the rest as zeros, VMCOREINFO and ELF notes as notes', async () => {
    const layer = await open(generated().file);
    assert.equal(layer.format, 'kdump');
    assert.equal(layer.directMapped, false);
    assert.deepEqual(layer.warnings, []);
    assert.equal(layer.size, 64 * KDUMP_BLOCK);
    assert.equal(layer.capturedBytes, pages.size * KDUMP_BLOCK);
    for (const [pfn, { data }] of pages) assert.deepEqual(await layer.read(pfn * KDUMP_BLOCK, KDUMP_BLOCK), data, `page ${pfn}`);
    assert.deepEqual(await layer.read(3 * KDUMP_BLOCK, 2 * KDUMP_BLOCK), new Uint8Array(2 * KDUMP_BLOCK));
    assert.deepEqual(await layer.read(KDUMP_BLOCK - 10, 20), concat(page(3).subarray(KDUMP_BLOCK - 10), page(5).subarray(0, 10)));
    assert.deepEqual(await layer.read(0, 64 * KDUMP_BLOCK), whole(), 'one large read (the scan path)');
    assert.deepEqual(await layer.read(100, 64 * KDUMP_BLOCK - 200), whole().subarray(100, 64 * KDUMP_BLOCK - 100));
    assert.deepEqual(await layer.read(64 * KDUMP_BLOCK, 100), new Uint8Array(100), 'past the end');
    const expectedRuns = [...pages.keys()]
      .sort((a, b) => a - b)
      .reduce<{ start: number; length: number; fileOffset: number }[]>((runs, pfn) => {
        const prev = runs.at(-1);
        if (prev && prev.start + prev.length === pfn * KDUMP_BLOCK) prev.length += KDUMP_BLOCK;
        else runs.push({ start: pfn * KDUMP_BLOCK, length: KDUMP_BLOCK, fileOffset: -1 });
        return runs;
      }, []);
    assert.deepEqual(layer.runs, expectedRuns);
    assert.deepEqual(
      layer.notes.map((n) => [n.name, n.type, n.desc]),
      [
        ['CORE', 1, prstatus],
        ['VMCOREINFO', 0, text(vmcoreinfo)],
      ],
    );
  });

  it('refuses files cut before the page descriptors with TRUNCATED', async () => {
    const { file, descriptorsAt } = generated();
    await rejectsWith(open(file.subarray(0, 3 * KDUMP_BLOCK), 'cut.kdump'), 'TRUNCATED', 'cut.kdump', 'bitmap');
    await rejectsWith(open(file.subarray(0, descriptorsAt), 'cut.kdump'), 'TRUNCATED', 'cut.kdump', 'page descriptors');
    await rejectsWith(open(file.subarray(0, 300), 'cut.kdump'), 'TRUNCATED', 'kdump header');
  });

  it('opens a file cut inside the page data or the descriptors with a warning; missing pages read as zeros', async () => {
    const { file, descriptorsAt } = generated();
    const cutData = await open(file.subarray(0, file.length - 100), 'cut.kdump');
    assert.match(cutData.warnings.join('\n'), /file is truncated .*read as zeros/);
    assert.deepEqual(await cutData.read(last * KDUMP_BLOCK, KDUMP_BLOCK), new Uint8Array(KDUMP_BLOCK));
    assert.deepEqual(await cutData.read(0, KDUMP_BLOCK), page(3));
    assert.deepEqual(await cutData.read(0, 64 * KDUMP_BLOCK), whole([last]));
    const cutTable = await open(file.subarray(0, descriptorsAt + 2 * 24 + 5), 'cut.kdump');
    assert.match(cutTable.warnings.join('\n'), new RegExp(`only 2 of the ${pages.size} page descriptors`));
    assert.deepEqual(await cutTable.read(0, 2 * KDUMP_BLOCK), new Uint8Array(2 * KDUMP_BLOCK));
  });

  it('reads a page whose descriptor or data is damaged as zeros, counting it and naming the first; the other pages as written', async () => {
    const damagedAs = async (file: Uint8Array, at: number, ...why: string[]) => {
      for (const length of [16, 64 * KDUMP_BLOCK]) {
        const layer = await open(file, 'd.kdump');
        const read = await layer.read(0, length);
        assert.deepEqual(
          read.subarray(at, at + Math.min(length, KDUMP_BLOCK)),
          new Uint8Array(Math.min(length, KDUMP_BLOCK)),
          'the damaged page: zeros',
        );
        if (length > KDUMP_BLOCK) assert.deepEqual(read.subarray(KDUMP_BLOCK, 2 * KDUMP_BLOCK), whole([]).subarray(KDUMP_BLOCK, 2 * KDUMP_BLOCK));
        assert.equal(layer.damaged?.count, 1);
        const line = layer.damaged!.describe('kdump');
        for (const w of why) assert.ok(line.includes(w), `${line} names ${w}`);
      }
    };
    await damagedAs(
      patched((dv, d) => dv.setUint32(d + 8, KDUMP_BLOCK + 1, true)),
      0,
      '1 page could not be decoded',
      'page at physical 0x0',
      'larger than a page',
    );
    await damagedAs(
      patched((dv, d) => dv.setBigInt64(d, BigInt(dv.byteLength), true)),
      0,
      'outside the file',
    );
    await damagedAs(
      patched((dv, d) => dv.setUint32(descriptorOfPage0(dv, d).offset + 4, 0xffffffff)),
      0,
      'page at physical 0x0',
      'zlib data is damaged',
    );
    const shortStored = await open(
      patched((dv, d) => dv.setUint32(d + 2 * 24 + 8, 100, true)),
      'd.kdump',
    );
    assert.deepEqual(await shortStored.read(2 * KDUMP_BLOCK, 16), new Uint8Array(16));
    assert.match(shortStored.damaged!.describe('kdump'), /page at physical 0x2000: its stored data holds 100 bytes/);
  });

  it('reads compressed pages that do not hold exactly one page as damaged', async () => {
    const { deflateSync } = await import('node:zlib');
    const twoPages = new Uint8Array(deflateSync(concat(page(3), page(3))));
    const cases: [PageCodec, string][] = [
      [{ bytes: twoPages, flags: FLAGS.zlib }, 'zlib data holds more than 4096 bytes'],
      [{ bytes: new Uint8Array(deflateSync(page(3).subarray(0, 1000))), flags: FLAGS.zlib }, 'zlib data holds 1000 bytes'],
      [{ bytes: bytes(17 + 5, 'hello', ...END), flags: FLAGS.lzo }, 'LZO data holds 5 bytes'],
    ];
    if (toolAvailable('zstd')) cases.push([{ bytes: zstdFrame(page(3).subarray(0, 1000)), flags: FLAGS.zstd }, 'frame declares 1000 bytes']);
    for (const [codec, message] of cases) {
      const layer = await open(writeKdump(new Map([[0, { data: page(3), codec }]]), 8, vmcoreinfo).file);
      assert.deepEqual(await layer.read(0, 16), new Uint8Array(16));
      assert.ok(layer.damaged!.describe('kdump').includes(message), message);
    }
  });

  it('refuses implausible headers with CORRUPT and split dumps with UNSUPPORTED', async () => {
    await rejectsWith(open(patched((dv) => dv.setUint32(428, 3000, true))), 'CORRUPT', 'block size 3000');
    await rejectsWith(open(patched((dv) => dv.setUint32(436, 0x7ffffffe, true))), 'CORRUPT', 'bitmap size');
    await rejectsWith(open(patched((dv) => dv.setUint32(436, 1 << 16, true))), 'TRUNCATED', 'bitmap');
    await rejectsWith(open(patched((dv) => dv.setInt32(8, -1, true))), 'CORRUPT', 'header version -1');
    await rejectsWith(open(patched((dv) => dv.setInt32(KDUMP_BLOCK + 12, 1, true))), 'UNSUPPORTED', 'makedumpfile --reassemble');
  });

  it('warns about dumps makedumpfile marked incomplete and reads their unwritten pages as zeros', async () => {
    const incomplete = patched((dv, d) => {
      dv.setInt32(424, 0x8, true);
      dv.setBigInt64(d, 0n, true);
      dv.setUint32(d + 8, 0, true);
    });
    const layer = await open(incomplete);
    assert.match(layer.warnings.join('\n'), /incomplete/);
    assert.deepEqual(await layer.read(0, KDUMP_BLOCK), new Uint8Array(KDUMP_BLOCK));
    assert.deepEqual(await layer.read(KDUMP_BLOCK, KDUMP_BLOCK), page(5));
  });

  it('refuses flattened makedumpfile streams with the conversion command', async () => {
    const flat = new Uint8Array(8192);
    flat.set(text('makedumpfile'));
    await rejectsWith(open(flat, 'vmcore.flat'), 'UNSUPPORTED', 'makedumpfile -R');
  });
});

describe('the real kdump capture', { skip: linuxFixtureSkipReason() }, () => {
  const sources: NodeFileSource[] = [];
  const layers = {} as Record<'kdump' | 'raw' | 'elf', PhysicalLayer>;
  let kdumpSource: NodeFileSource;
  before(async () => {
    for (const kind of ['kdump', 'raw', 'elf'] as const) {
      const source = await NodeFileSource.open(await linuxFixtureFile(`linux-a.${kind}`));
      sources.push(source);
      layers[kind] = await openImage(source);
    }
    kdumpSource = sources[0]!;
  });
  after(() => Promise.all(sources.map((s) => s.close())));
  const facts = () =>
    linuxTruth()['kdump'] as {
      header_version: number;
      block_size: number;
      sub_hdr_size: number;
      bitmap_blocks: number;
      max_mapnr: number;
      offset_vmcoreinfo: number;
      size_vmcoreinfo: number;
      offset_note: number;
      size_note: number;
    };

  it('has the header facts the truth records', async () => {
    const f = facts();
    assert.deepEqual(await readKdumpHeader(kdumpSource), {
      version: f.header_version,
      blockSize: f.block_size,
      subHeaderBlocks: f.sub_hdr_size,
      bitmapBlocks: f.bitmap_blocks,
      maxMapnr: f.max_mapnr,
      incomplete: false,
      vmcoreinfo: { offset: f.offset_vmcoreinfo, size: f.size_vmcoreinfo },
      notes: { offset: f.offset_note, size: f.size_note },
    });
  });

  it('is picked as kdump and carries the guest’s VMCOREINFO and the ELF capture’s CPU notes', () => {
    const { kdump, elf } = layers;
    assert.equal(kdump.format, 'kdump');
    assert.deepEqual(kdump.warnings, []);
    assert.equal(kdump.size, facts().max_mapnr * facts().block_size);
    const info = new TextDecoder().decode(kdump.notes.find((n) => n.name === 'VMCOREINFO')!.desc);
    const fields = Object.fromEntries(
      info
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.deepEqual(fields, linuxTruth().vmcoreinfo.fields);
    const others = (notes: readonly ContainerNote[]) =>
      notes.filter((n) => n.name !== 'VMCOREINFO').map((n) => [n.name, n.type, Buffer.from(n.desc).toString('hex')]);
    assert.ok(others(kdump.notes).length > 0);
    assert.deepEqual(others(kdump.notes), others(elf.notes));
  });

  it('holds the same bytes as the raw capture in every dumped page, and only zeros where it dumped none', async (t) => {
    const { kdump, raw, elf } = layers;
    const ranges = linuxTruth().physical_ranges.map((r) => ({ start: Number(r.start), end: Number(r.end) + 1 }));
    for (const run of kdump.runs) {
      assert.ok(
        ranges.some((r) => run.start >= r.start && run.start + run.length <= r.end),
        `run at 0x${run.start.toString(16)} inside the guest's RAM/ROM`,
      );
    }
    const chunk = 8 * 1024 * 1024;
    const started = performance.now();
    let kdumpMs = 0;
    for (let at = 0; at < raw.size; at += chunk) {
      const t0 = performance.now();
      const got = await kdump.read(at, chunk);
      kdumpMs += performance.now() - t0;
      assert.ok(Buffer.from(got).equals(Buffer.from(await raw.read(at, chunk))), `bytes at 0x${at.toString(16)}`);
    }
    // Above the raw capture (RAM) only the BIOS ROM range exists; the ELF capture holds it.
    for (const run of kdump.runs.filter((r) => r.start >= raw.size)) {
      assert.ok(Buffer.from(await kdump.read(run.start, run.length)).equals(Buffer.from(await elf.read(run.start, run.length))), 'BIOS ROM range');
    }
    const dumpedBelowRaw = kdump.runs.filter((r) => r.start < raw.size).reduce((n, r) => n + r.length, 0);
    t.diagnostic(
      `${kdump.runs.length} runs, ${kdump.capturedBytes / 4096} dumped pages, ${(raw.size - dumpedBelowRaw) / 4096} RAM pages not dumped; ` +
        `read ${raw.size >> 20} MiB through the kdump layer in ${kdumpMs.toFixed(0)} ms (${(performance.now() - started).toFixed(0)} ms with the raw reads and compares)`,
    );
  });
});
