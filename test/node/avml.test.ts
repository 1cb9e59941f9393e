/**
 * AVML version 2 against the real Linux capture: a file written by an independent writer (test/helpers/avml-writer.ts,
 * from avml's documented layout) reads back as linux-a.raw (truth.json's SHA-256), linux.pslist lists truth.json's
 * processes, and Volatility 3's own AVML layer reads the same bytes at chosen addresses. Hostile files: a bad
 * checksum, a cut stream, a chunk claiming a huge length, a reserved chunk type.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import snappy from 'snappyjs';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { concat } from '../fixtures/windows/encoding.ts';
import { writeAvml } from '../helpers/avml-writer.ts';
import { framedStream, framingChunk } from '../helpers/framed-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { assertLinuxCapture } from '../helpers/raw-capture-checks.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { extractVolatilitySource, PYTHON, run, volatilitySkipReason } from '../helpers/volatility.ts';

const RAW_SIZE = 256 * 1024 * 1024;

function avmlHeader(start: number, end: number): Uint8Array {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x4c4d5641, true);
  view.setUint32(4, 2, true);
  view.setBigUint64(8, BigInt(start), true);
  view.setBigUint64(16, BigInt(end - 1), true);
  return bytes;
}

/** One AVML range of `data` at `start`, with the stream's length after it. */
function avmlRange(start: number, data: Uint8Array, stream = framedStream(data)): Uint8Array[] {
  const length = stream.reduce((n, p) => n + p.length, 0);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setBigUint64(0, BigInt(length), true);
  return [avmlHeader(start, start + data.length), ...stream, trailer];
}

const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => ((i >> 4) * 13 + seed) & 0xff);

describe('AVML: the real Linux capture', { skip: linuxFixtureSkipReason() }, () => {
  let dir: string;
  let avml: string;
  let zeroRanges: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memscope-avml-'));
    avml = join(dir, 'linux-a.avml');
    ({ zeroRanges } = writeAvml(await linuxFixtureFile('linux-a.raw'), [{ start: 0, length: RAW_SIZE, fileOffset: 0 }], avml));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads back as linux-a.raw (truth.json SHA-256), and linux.pslist lists the processes the guest listed', async () => {
    const base = await createNodeEnv({ symbolDirs: [], cache: false });
    const session = await openSession(await NodeFileSource.open(avml), base);
    try {
      assert.equal(session.physical.format, 'avml');
      assert.deepEqual(session.physical.warnings, []);
      assert.ok(session.physical.capturedBytes <= RAW_SIZE && session.physical.capturedBytes >= RAW_SIZE - zeroRanges * 16 * 1024 * 1024);
      await assertLinuxCapture(session);
    } finally {
      await session.close();
    }
  });

  it("Volatility 3's AVML layer reads the same bytes at chosen addresses", { skip: volatilitySkipReason() || snappyLibraryMissing() }, async () => {
    const vol = extractVolatilitySource(dir);
    const addresses = [0, 0x1000, 0x9f000, 0x100000, 0x1000000 - 8, 0x3fffff0, RAW_SIZE / 2 + 0x1234, RAW_SIZE - 0x2000];
    const script = [
      'import sys, json',
      `sys.path.insert(0, ${JSON.stringify(vol)})`,
      'from volatility3.framework import contexts',
      'from volatility3.framework.layers import avml, physical',
      'ctx = contexts.Context()',
      `ctx.config['file.location'] = 'file://' + ${JSON.stringify(avml)}`,
      "ctx.add_layer(physical.FileLayer(ctx, 'file', 'file'))",
      "ctx.config['avml.base_layer'] = 'file'",
      "layer = avml.AVMLLayer(ctx, 'avml', 'avml')",
      `print(json.dumps([layer.read(a, 64, pad=True).hex() for a in ${JSON.stringify(addresses)}]))`,
    ].join('\n');
    const r = await run(PYTHON, ['-c', script]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const theirs = JSON.parse(r.stdout) as string[];
    const source = await NodeFileSource.open(avml);
    const layer = await openImage(source);
    const ours = await Promise.all(addresses.map(async (a) => Buffer.from(await layer.read(a, 64)).toString('hex')));
    await source.close();
    assert.deepEqual(ours, theirs);
    assert.ok(
      theirs.some((h) => /[1-9a-f]/.test(h)),
      'some of the bytes compared are not zeros',
    );
  });
});

/** Volatility's AVML layer loads the C snappy library (Debian: libsnappy1v5), not a Python module. */
function snappyLibraryMissing(): string | false {
  const found = ['/usr/lib/x86_64-linux-gnu/libsnappy.so.1', '/usr/lib/aarch64-linux-gnu/libsnappy.so.1', '/usr/lib/libsnappy.so.1'].some(existsSync);
  return found ? false : "Volatility's AVML layer needs libsnappy.so.1 (Debian package libsnappy1v5)";
}

describe('AVML: hand-built files', () => {
  const open = (bytes: Uint8Array, name = 'memory.avml') => openImage(new MemorySource(bytes, name));

  it('reads ranges with holes between them, and a range written as its header alone (older avml) as zeros', async () => {
    const a = pattern(0x30000, 1);
    const b = pattern(0x2000, 2);
    const layer = await open(concat([...avmlRange(0x1000, a), avmlHeader(0x40000, 0x50000), ...avmlRange(0x100000, b)]));
    assert.equal(layer.format, 'avml');
    assert.deepEqual(
      layer.runs.map((r) => [r.start, r.length]),
      [
        [0x1000, 0x30000],
        [0x40000, 0x10000],
        [0x100000, 0x2000],
      ],
    );
    assert.deepEqual(await layer.read(0x1000, a.length), a);
    assert.deepEqual(await layer.read(0x100000, b.length), b);
    assert.deepEqual(await layer.read(0x31000, 0x20), new Uint8Array(0x20));
    const across = await layer.read(0x30ff0, 0x10020);
    assert.deepEqual(across.subarray(0, 0x10), a.subarray(a.length - 0x10));
    assert.deepEqual(layer.warnings, []);
  });

  it('a chunk whose checksum does not match → its pages read as zeros, counted as damaged naming the chunk', async () => {
    const data = pattern(0x20000, 3);
    const file = concat(avmlRange(0, data));
    file[32 + 10 + 4] ^= 0x5a; // the first data chunk's checksum
    const layer = await open(file);
    assert.deepEqual(await layer.read(0x100, 16), new Uint8Array(16));
    assert.match(
      layer.damaged!.describe('avml'),
      /^avml: 1 page could not be decoded and read as zeros \(the first: page at physical 0x0: AVML range 0x0-0x1ffff: the chunk at file offset 0x2a fails its CRC-32C check\)$/,
    );
    assert.deepEqual(await layer.read(0x10000, 16), data.subarray(0x10000, 0x10010), 'the other chunks still read');
  });

  it('a cut stream keeps the chunks before the cut, with a warning', async () => {
    const data = pattern(0x40000, 4);
    const file = concat(avmlRange(0x2000, data));
    const layer = await open(file.subarray(0, file.length - 20_000));
    assert.ok(layer.capturedBytes > 0 && layer.capturedBytes < data.length, `${layer.capturedBytes}`);
    assert.match(layer.warnings.join('\n'), /^file is truncated: AVML range 0x2000-0x41fff breaks off/);
    assert.deepEqual(await layer.read(0x2000, layer.capturedBytes), data.subarray(0, layer.capturedBytes));
  });

  it('a chunk claiming a huge length or a reserved chunk type → CORRUPT at open; garbage after a header → a warning', async () => {
    const huge = framingChunk(0, Uint8Array.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0]));
    await rejectsWith(
      open(concat(avmlRange(0, new Uint8Array(0x1000).fill(1), [framedStream(new Uint8Array(1))[0]!, huge]))),
      'CORRUPT',
      'more than the 65536',
    );
    const reserved = framingChunk(0x05, new Uint8Array(8));
    await rejectsWith(
      open(concat(avmlRange(0, new Uint8Array(0x1000).fill(1), [framedStream(new Uint8Array(1))[0]!, reserved]))),
      'CORRUPT',
      'reserved',
    );
    // Neither a stream nor a header after a header: the range is taken as written alone, the rest refused with a warning.
    const garbage = await open(concat([avmlHeader(0, 0x1000), framingChunk(1, new Uint8Array(8)), new Uint8Array(64)]));
    assert.match(garbage.warnings.join('\n'), /no valid AVML range header at file offset 0x20 \(bad magic 0x801\)/);
  });

  it('snappyjs and the writer agree with the format: a stored chunk and a compressed one read the same', async () => {
    const data = pattern(0x10000, 5);
    assert.ok(snappy.compress(data).length < data.length);
    const layer = await open(concat(avmlRange(0, data)));
    assert.deepEqual(await layer.read(0, data.length), data);
  });
});
