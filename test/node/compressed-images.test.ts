/**
 * Images packed as responders hand them over (gzip, ZIP members stored or deflated) read as the raw capture they
 * hold: the real Linux capture's bytes hash to truth.json's SHA-256 and linux.pslist lists truth.json's processes;
 * damaged, ambiguous or hostile packings give clear errors, and decompression holds one bounded chunk at a time.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { TempStorage } from '../../src/io/temp-storage.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { TempFileStorage } from '../../src/node/temp-file-storage.ts';
import { linuxFixtureFile, linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { rowsByColumn } from '../helpers/linux-session.ts';
import { assertLinuxCapture } from '../helpers/raw-capture-checks.ts';
import { writeGzip, writeZip } from '../helpers/packed-image-writer.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';

/** Temporary storage that records what is written through it and where. */
class WatchedStorage implements TempStorage {
  readonly paths: string[] = [];
  largestWrite = 0;
  constructor(private readonly inner = new TempFileStorage()) {}
  async create(name: string) {
    const file = await this.inner.create(name);
    return {
      write: (bytes: Uint8Array) => {
        this.largestWrite = Math.max(this.largestWrite, bytes.length);
        return file.write(bytes);
      },
      finish: async () => {
        const source = await file.finish();
        this.paths.push((source as NodeFileSource).path);
        return source;
      },
      discard: () => file.discard(),
    };
  }
}

const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 9)) & 0xff);

describe('compressed and archived images of the real Linux capture', { skip: linuxFixtureSkipReason() }, () => {
  let dir: string;
  const files: Record<string, string> = {};

  before(async () => {
    const raw = await linuxFixtureFile('linux-a.raw');
    dir = await mkdtemp(join(tmpdir(), 'memscope-packed-'));
    files['linux-a.raw.gz'] = join(dir, 'linux-a.raw.gz');
    files['stored.zip'] = join(dir, 'stored.zip');
    files['deflated.zip'] = join(dir, 'deflated.zip');
    await writeGzip(raw, files['linux-a.raw.gz']);
    const notes = { name: 'acquisition-notes.txt', from: new TextEncoder().encode('case 42\n'.repeat(1000)), level: 6 } as const;
    await writeZip(files['stored.zip'], [notes, { name: 'case/linux-a.raw', from: raw, level: 0 }]);
    await writeZip(files['deflated.zip'], [{ name: 'case/linux-a.raw', from: raw, level: 1 }, notes]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const expected: Record<string, string> = {
    'linux-a.raw.gz': 'gzip (decompressed to a temporary copy)',
    'stored.zip': 'ZIP member case/linux-a.raw (stored, read in place)',
    'deflated.zip': 'ZIP member case/linux-a.raw (deflated, decompressed to a temporary copy)',
  };
  for (const [name, packaging] of Object.entries(expected)) {
    it(`${name}: the raw capture's bytes (truth.json's SHA-256), processes and packaging; a temporary copy goes on close`, async () => {
      const temp = new WatchedStorage();
      const base = await createNodeEnv({ symbolDirs: [], cache: false, scanWorkers: 0 });
      const session = await openSession(await NodeFileSource.open(files[name]!), { ...base, unpack: { temp } });
      try {
        assert.equal(session.physical.format, 'raw');
        assert.equal(session.physical.packaging, packaging);
        assert.match(session.summary.formatDescription, new RegExp(`^raw physical memory .*, in ${packaging.replace(/[()]/g, '\\$&')}$`));
        const copied = packaging.includes('temporary copy');
        assert.equal(
          session.summary.warnings.some((w) => /decompressed 0\.25 GiB \(268435456 bytes\) to a temporary copy/.test(w)),
          copied,
        );
        const info = new Map((await rowsByColumn(session, 'image.info')).map((r) => [r['Variable'], r['Value']]));
        assert.equal(info.get('Format'), `raw, in ${packaging}`);
        await assertLinuxCapture(session);
        assert.equal(temp.paths.length, copied ? 1 : 0);
        assert.ok(temp.largestWrite <= 64 * 1024 * 1024, `largest chunk written ${temp.largestWrite}`);
      } finally {
        await session.close();
      }
      for (const path of temp.paths) assert.equal(existsSync(path), false, `${path} is deleted with the session`);
    });
  }

  it('a truncated gzip file gives the part it holds, with a warning saying the rest is missing', async () => {
    const cut = join(dir, 'cut.raw.gz');
    await writeFile(cut, await readFile(files['linux-a.raw.gz']!));
    await truncate(cut, 10 * 1024 * 1024);
    const source = await NodeFileSource.open(cut);
    const layer = await openImage(source, { unpack: { temp: new TempFileStorage() } });
    try {
      assert.ok(layer.size > 0 && layer.size < 268435456, `${layer.size} bytes read`);
      assert.ok(
        layer.warnings.some((w) => w.startsWith('file is truncated or damaged: the gzip stream')),
        layer.warnings.join('\n'),
      );
      const raw = await NodeFileSource.open(await linuxFixtureFile('linux-a.raw'));
      assert.deepEqual(await layer.read(layer.size - 4096, 4096), await raw.read(layer.size - 4096, 4096));
      await raw.close();
    } finally {
      await layer.source.close?.();
      await source.close();
    }
  });
});

describe('packed images: errors and bounds (synthetic)', () => {
  const temp = new TempFileStorage();
  const open = (bytes: Uint8Array, name: string, withTemp = true) => openImage(new MemorySource(bytes, name), { unpack: withTemp ? { temp } : {} });
  const close = (layer: PhysicalLayer) => layer.source.close?.();

  it('a multi-member gzip file (members concatenated) reads as its members one after another', async () => {
    const [a, b] = [pattern(0x3000, 1), pattern(0x5000, 2)];
    const layer = await open(new Uint8Array([...gzipSync(a), ...gzipSync(b)]), 'two.raw.gz');
    assert.deepEqual(layer.warnings.slice(1), []);
    assert.equal(layer.size, a.length + b.length);
    assert.deepEqual(await layer.read(0, layer.size), new Uint8Array([...a, ...b]));
    await close(layer);
  });

  it('a gzip stream without its trailer (cut between blocks, which the inflater accepts) is read with a warning', async () => {
    const whole = gzipSync(pattern(0x9000, 9));
    const layer = await open(new Uint8Array(whole.subarray(0, whole.length - 8)), 'cut.raw.gz');
    assert.equal(layer.size, 0x9000);
    assert.match(layer.warnings[1] ?? '', /^file is truncated or damaged: the gzip stream ends without the trailer of its last member/);
    await close(layer);
  });

  it('a gzip bomb of zeros is written out in bounded chunks', async () => {
    const zeros = new Uint8Array(gzipSync(new Uint8Array(256 * 1024 * 1024), { level: 9 }));
    assert.ok(zeros.length < 1024 * 1024);
    const watched = new WatchedStorage();
    const layer = await openImage(new MemorySource(zeros, 'zeros.raw.gz'), { unpack: { temp: watched } });
    assert.equal(layer.size, 256 * 1024 * 1024);
    assert.ok(watched.largestWrite <= 33 * 1024 * 1024, `largest chunk ${watched.largestWrite}`);
    await close(layer);
  });

  it('garbage after a gzip header → CORRUPT; no temporary storage → UNSUPPORTED saying to decompress first', async () => {
    const garbage = pattern(0x10000, 3);
    garbage.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);
    await rejectsWith(open(garbage, 'bad.raw.gz'), 'CORRUPT', 'bad.raw.gz', 'gzip stream breaks off');
    await rejectsWith(open(new Uint8Array(gzipSync(pattern(0x2000, 4))), 'x.raw.gz', false), 'UNSUPPORTED', 'decompress it first');
  });

  it('ZIPs without one memory image say what they hold', async () => {
    const isf = new TextEncoder().encode('{"metadata": {}}');
    const pack = zipSync({ 'windows/ntkrnlmp.pdb/0123456789ABCDEF0123456789ABCDEF-1.json.xz': isf });
    await rejectsWith(open(pack, 'windows.zip'), 'UNKNOWN_FORMAT', 'symbol pack', 'add it as symbols');
    const two = zipSync({ 'a.raw': pattern(0x8000, 5), 'b.vmem': pattern(0x6000, 6) });
    await rejectsWith(open(two, 'two.zip'), 'UNKNOWN_FORMAT', 'several members', 'a.raw, 32768 bytes', 'b.vmem, 24576 bytes');
    await rejectsWith(open(zipSync({ 'notes.txt': isf }), 'notes.zip'), 'UNKNOWN_FORMAT', 'no memory image', 'notes.txt');
  });

  it('a deflated member whose data is damaged → CORRUPT (CRC or inflate), and the temporary copy is deleted', async () => {
    const bytes = zipSync({ 'memory.raw': [pattern(0x40000, 7), { level: 6 }] });
    bytes[200] ^= 0xff;
    const before = new Set(await listTemp());
    await rejectsWith(open(bytes, 'damaged.zip'), 'CORRUPT', 'ZIP member memory.raw');
    assert.deepEqual(
      (await listTemp()).filter((f) => !before.has(f)),
      [],
    );
  });

  it('a stored member is read in place (a slice of the ZIP), the rest of the archive untouched', async () => {
    const memory = pattern(0x20000, 8);
    const layer = await open(zipSync({ 'readme.md': [new Uint8Array(10), {}], 'mem.raw': [memory, { level: 0 }] }), 'm.zip');
    assert.equal(layer.packaging, 'ZIP member mem.raw (stored, read in place)');
    assert.deepEqual(await layer.read(0, memory.length), memory);
    await close(layer);
  });
});

async function listTemp(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((f) => f.startsWith('memscope-') && f.endsWith('.tmp'));
}
