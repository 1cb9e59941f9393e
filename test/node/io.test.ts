import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { BlobSource } from '../../src/io/blob-source.ts';
import { CachedSource } from '../../src/io/block-cache.ts';
import type { ByteSource } from '../../src/io/byte-source.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { readExact } from '../../src/io/read-exact.ts';

/** Deterministic pseudo-random numbers (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const next = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

/** Records every read reaching the wrapped source. */
class LoggingSource implements ByteSource {
  readonly calls: [offset: number, length: number][] = [];
  failNext = false;
  constructor(private readonly inner: ByteSource) {}
  get name(): string {
    return this.inner.name;
  }
  get size(): number {
    return this.inner.size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.calls.push([offset, length]);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk on fire');
    }
    return this.inner.read(offset, length);
  }
}

describe('MemorySource', () => {
  const bytes = randomBytes(1000, 1);
  const source = new MemorySource(bytes, 'sample.bin');

  it('reads ranges, short at the end of the data and empty past it', async () => {
    assert.deepEqual(await source.read(10, 20), bytes.subarray(10, 30));
    assert.deepEqual(await source.read(990, 20), bytes.subarray(990));
    assert.equal((await source.read(1000, 5)).length, 0);
    assert.equal((await source.read(5000, 5)).length, 0);
  });

  it('hands out copies, not views of its data', async () => {
    const got = await source.read(0, 4);
    got.fill(0xff);
    assert.deepEqual(await source.read(0, 4), bytes.subarray(0, 4));
  });

  it('refuses negative or fractional offsets with BAD_REQUEST naming the source', async () => {
    await rejectsWith(source.read(-1, 4), 'BAD_REQUEST', 'sample.bin');
    await rejectsWith(source.read(1.5, 4), 'BAD_REQUEST', 'sample.bin');
    await rejectsWith(source.read(0, -4), 'BAD_REQUEST', 'sample.bin');
  });
});

describe('BlobSource', () => {
  const bytes = randomBytes(5000, 2);

  it('reads slices of a File and takes its name', async () => {
    const source = new BlobSource(new File([bytes], 'dump.raw'));
    assert.equal(source.name, 'dump.raw');
    assert.equal(source.size, 5000);
    assert.deepEqual(await source.read(4000, 100), bytes.subarray(4000, 4100));
    assert.deepEqual(await source.read(4990, 100), bytes.subarray(4990));
    assert.equal((await source.read(6000, 1)).length, 0);
  });

  it('turns a failing blob read into READ_FAILED naming the file', async () => {
    const broken = new Blob([bytes]);
    broken.slice = () => ({ arrayBuffer: () => Promise.reject(new DOMException('gone', 'NotReadableError')) }) as Blob;
    await rejectsWith(new BlobSource(broken, 'lost.raw').read(0, 10), 'READ_FAILED', 'lost.raw', 'gone');
  });
});

describe('NodeFileSource', () => {
  const bytes = randomBytes(100_000, 3);
  let dir = '';
  let path = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memscope-io-'));
    path = join(dir, 'image.bin');
    await writeFile(path, bytes);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads the file at random offsets, short at its end', async () => {
    const source = await NodeFileSource.open(path);
    try {
      assert.equal(source.name, 'image.bin');
      assert.equal(source.size, bytes.length);
      const next = prng(4);
      for (let i = 0; i < 200; i++) {
        const offset = Math.floor(next() * (bytes.length + 100));
        const length = Math.floor(next() * 9000);
        assert.deepEqual(await source.read(offset, length), bytes.subarray(offset, offset + length));
      }
    } finally {
      await source.close();
    }
  });

  it('reports a missing path as READ_FAILED "no such file" naming it', async () => {
    await rejectsWith(NodeFileSource.open(join(dir, 'absent.raw')), 'READ_FAILED', 'absent.raw', 'no such file');
  });

  it('reports a directory as READ_FAILED naming it', async () => {
    await rejectsWith(NodeFileSource.open(dir), 'READ_FAILED', 'directory');
  });
});

describe('readExact', () => {
  it('returns the bytes, or TRUNCATED naming the file and the structure cut off', async () => {
    const source = new MemorySource(randomBytes(100, 5), 'short.elf');
    assert.equal((await readExact(source, 90, 10, 'footer')).length, 10);
    await rejectsWith(readExact(source, 80, 64, 'ELF header'), 'TRUNCATED', 'short.elf', 'ELF header', '100 bytes');
    await rejectsWith(readExact(source, 2 ** 40, 2 ** 40, 'huge table'), 'TRUNCATED', 'huge table');
  });
});

describe('CachedSource', () => {
  const blockSize = 4096;
  const bytes = randomBytes(256 * 1024 + 123, 6);

  it('returns what direct reads return at random offsets while staying within its capacity', async () => {
    const direct = new MemorySource(bytes);
    const capacityBytes = 8 * blockSize;
    const cached = new CachedSource(direct, { blockSize, capacityBytes });
    const next = prng(7);
    for (let i = 0; i < 3000; i++) {
      const offset = Math.floor(next() * (bytes.length + 2 * blockSize));
      const length = Math.floor(next() * 3 * blockSize);
      assert.deepEqual(await cached.read(offset, length), await direct.read(offset, length), `read ${length} at ${offset}`);
      assert.ok(cached.stats.cachedBytes <= capacityBytes);
    }
    assert.ok(cached.stats.hits > 0 && cached.stats.misses > 0);
  });

  it('reads the missing blocks of a span with one underlying read', async () => {
    const log = new LoggingSource(new MemorySource(bytes));
    const cached = new CachedSource(log, { blockSize });
    await cached.read(blockSize + 10, 2 * blockSize);
    assert.deepEqual(log.calls, [[blockSize, 3 * blockSize]]);
    assert.deepEqual(await cached.read(100, 5 * blockSize - 200), bytes.subarray(100, 5 * blockSize - 100));
    assert.deepEqual(log.calls.slice(1), [
      [0, blockSize],
      [4 * blockSize, blockSize],
    ]);
  });

  it('evicts the least recently used block first', async () => {
    const log = new LoggingSource(new MemorySource(bytes));
    const cached = new CachedSource(log, { blockSize, capacityBytes: 2 * blockSize });
    const block = (n: number) => cached.read(n * blockSize, 8);
    await block(0);
    await block(1);
    await block(0); // block 0 becomes the most recent
    await block(2); // evicts block 1
    const before = log.calls.length;
    await block(0);
    await block(2);
    assert.equal(log.calls.length, before, 'blocks 0 and 2 are still cached');
    await block(1);
    assert.deepEqual(log.calls.at(-1), [blockSize, blockSize]);
    assert.equal(cached.stats.cachedBytes, 2 * blockSize);
  });

  it('shares one underlying read among concurrent reads of the same block', async () => {
    const log = new LoggingSource(new MemorySource(bytes));
    const cached = new CachedSource(log, { blockSize });
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => cached.read(100 + i, 50)));
    assert.equal(log.calls.length, 1);
    results.forEach((got, i) => assert.deepEqual(got, bytes.subarray(100 + i, 150 + i)));
  });

  it('passes large reads through without caching them', async () => {
    const log = new LoggingSource(new MemorySource(bytes));
    const cached = new CachedSource(log, { blockSize, bypassBytes: 64 * 1024 });
    assert.deepEqual(await cached.read(1000, 100_000), bytes.subarray(1000, 101_000));
    assert.deepEqual(log.calls, [[1000, 100_000]]);
    assert.equal(cached.stats.cachedBytes, 0);
  });

  it('fails every waiting reader on an underlying error and retries on the next read', async () => {
    const log = new LoggingSource(new MemorySource(bytes, 'flaky.raw'));
    const cached = new CachedSource(log, { blockSize });
    log.failNext = true;
    const results = await Promise.allSettled([cached.read(0, 10), cached.read(5, 10)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(await cached.read(0, 10), bytes.subarray(0, 10));
    assert.equal(log.calls.length, 2);
  });

  it('is short at the end of the source like the source itself', async () => {
    const cached = new CachedSource(new MemorySource(bytes), { blockSize });
    assert.deepEqual(await cached.read(bytes.length - 10, 100), bytes.subarray(bytes.length - 10));
    assert.equal((await cached.read(bytes.length + blockSize, 100)).length, 0);
  });
});
