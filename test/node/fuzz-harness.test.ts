// The fuzzer's own parts (test/fuzz): the patched file source, the seeded mutations, the minimiser.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource } from '../../src/io/memory-source.ts';
import { minimise } from '../fuzz/minimise.ts';
import { MAX_RUN_BYTES, MAX_RUNS, mutation } from '../fuzz/mutate.ts';
import { PatchedSource, type Patch } from '../fuzz/patched-source.ts';
import { runInChild } from '../fuzz/runner.ts';
import { judge } from '../fuzz/verdict.ts';

const original = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
const patches: Patch[] = [
  { offset: 10, bytes: new Uint8Array([0xaa, 0xbb, 0xcc]) },
  { offset: 11, bytes: new Uint8Array([0x11]) },
  { offset: 995, bytes: new Uint8Array(20).fill(0xee) },
];

/** The patched file as a copy: what the source must read without making one. */
function patchedCopy(): Uint8Array {
  const copy = original.slice();
  for (const p of patches) copy.set(p.bytes.subarray(0, Math.max(0, copy.length - p.offset)), p.offset);
  return copy;
}

describe('fuzz harness', () => {
  it('reads the original with the patches laid over it, later ones winning, none past the end', async () => {
    const source = new PatchedSource(new MemorySource(original), patches);
    const expected = patchedCopy();
    assert.equal(source.size, original.length);
    for (const [offset, length] of [
      [0, 1000],
      [11, 1],
      [9, 4],
      [990, 100],
      [500, 10],
    ] as const) {
      assert.deepEqual(await source.read(offset, length), expected.subarray(offset, Math.min(1000, offset + length)), `read(${offset}, ${length})`);
      const target = new Uint8Array(length);
      const n = await source.readInto(offset, target);
      assert.deepEqual(target.subarray(0, n), expected.subarray(offset, Math.min(1000, offset + length)), `readInto(${offset}, ${length})`);
    }
  });

  it('gives the same mutation for the same seed, within 1–200 runs of 1–64 bytes inside the file', () => {
    const targets = [{ kind: 'header', offset: 0, length: 64 }];
    for (let seed = 0; seed < 50; seed++) {
      const m = mutation(seed, 4096, targets);
      assert.deepEqual(m, mutation(seed, 4096, targets));
      assert.ok(m.length >= 1 && m.length <= MAX_RUNS);
      for (const p of m) assert.ok(p.bytes.length >= 1 && p.bytes.length <= MAX_RUN_BYTES && p.offset + p.bytes.length <= 4096);
    }
    assert.notDeepEqual(mutation(1, 4096, targets), mutation(2, 4096, targets));
  });

  it('minimises to the patches that keep the verdict', async () => {
    const list = Array.from({ length: 16 }, (_, i) => ({ offset: i, hex: '00' }));
    // The "crash" needs patches 3 and 12 together.
    const result = await minimise(list, 'crash', 100, async (l) => ({
      kind: l.some((p) => p.offset === 3) && l.some((p) => p.offset === 12) ? 'crash' : 'rows',
      detail: '',
    }));
    assert.deepEqual(
      result.patches.map((p) => p.offset),
      [3, 12],
    );
  });

  it('runs a job in a child: rows for a patched image, a hang when it outlives its time limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-fuzz-harness-'));
    try {
      const path = join(dir, 'zeros.raw');
      writeFileSync(path, new Uint8Array(1 << 20));
      const job = { path, symbolDirs: [], plugin: 'image.info', options: {}, patches: [{ offset: 0, hex: 'ff'.repeat(64) }] };
      const answered = await runInChild(job, 60_000);
      assert.equal(judge(answered.end, 0).kind, 'rows', JSON.stringify(answered.end));
      assert.ok(answered.peakRssKb > 0);
      const stopped = await runInChild(job, 1);
      assert.deepEqual(judge(stopped.end, 0), { kind: 'hang', detail: 'stopped at the time limit' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
