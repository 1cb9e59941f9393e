/**
 * Scan workers renewed as they go: YARA-X's Wasm build keeps every scan's Wasm instance alive for the life of its thread
 * (measured on yara-x 1.20: a Chromium tab fails its ~124th scan with "unreachable", a Node thread its ~13,000th), so a
 * worker that has made its share of scans is retired for a fresh one. Fake workers here record what happened to them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeScanPool } from '../../src/node/node-scan-pool.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import type { YaraChunkMatch } from '../../src/plugins/api.ts';
import { yaraWithinTime, type YaraWorkerCalls } from '../../src/scan/yara-lanes.ts';
import { WorkerSlots } from '../../src/scan/worker-slots.ts';

class FakeWorker {
  destroyed = false;
  scans = 0;
  prepares = 0;
  constructor(readonly id: number) {}
}

function fakeSlots(size = 1) {
  const made: FakeWorker[] = [];
  const slots = new WorkerSlots(
    size,
    () => {
      const w = new FakeWorker(made.length);
      made.push(w);
      return w;
    },
    (w) => (w.destroyed = true),
  );
  return { slots, made };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkerSlots', () => {
  it('retire() gives the slot a new worker at once and stops the old one only when its running calls have settled', async () => {
    const { slots, made } = fakeSlots();
    const gate = deferred();
    const running = slots.use(0, async (w) => {
      await gate.promise;
      return w.id;
    });
    slots.retire(0, made[0]!);
    assert.equal(slots.at(0), made[1], 'new calls get the new worker');
    assert.equal(made[0]!.destroyed, false, 'the old worker finishes its call');
    gate.resolve();
    assert.equal(await running, 0);
    assert.equal(made[0]!.destroyed, true, 'then it is stopped');
    assert.equal(made[1]!.destroyed, false);
  });

  it('retire() of an idle worker stops it at once; a second retire() of the same worker does nothing', () => {
    const { slots, made } = fakeSlots();
    slots.retire(0, made[0]!);
    slots.retire(0, made[0]!);
    assert.equal(made[0]!.destroyed, true);
    assert.equal(made.length, 2);
    assert.equal(slots.at(0), made[1]);
  });

  it('replace() stops a retired worker still busy (stuck) at once', async () => {
    const { slots, made } = fakeSlots();
    const stuck = slots.use(0, () => new Promise<never>(() => undefined));
    slots.retire(0, made[0]!);
    assert.equal(made[0]!.destroyed, false);
    slots.replace(0, made[0]!);
    assert.equal(made[0]!.destroyed, true);
    assert.equal(slots.at(0), made[1], 'the slot keeps the worker retire() gave it');
    void stuck;
  });
});

describe('yaraWithinTime renews a worker after its share of scans', () => {
  const request = { rules: 'rule r { condition: true }', timeoutMs: 60_000 };
  const calls = (scan: (w: FakeWorker) => Promise<YaraChunkMatch[]>): YaraWorkerCalls<FakeWorker> => ({
    prepare: async (w) => void w.prepares++,
    scan,
  });
  const match = (w: FakeWorker): YaraChunkMatch => ({ offset: w.id, rule: 'r', pattern: '$a', value: new Uint8Array(), capped: false });

  it('no worker scans more than its share; each successor compiles the rules once, before its first scan', async () => {
    const { slots, made } = fakeSlots();
    const pool = { slots, scansPerWorker: 3 };
    const by: number[] = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await yaraWithinTime(
        pool,
        0,
        request,
        calls(async (w) => {
          assert.equal(w.prepares, 1, 'compiled before it scans');
          w.scans++;
          return [match(w)];
        }),
      );
      assert.ok('matches' in outcome);
      by.push(outcome.matches[0]!.offset);
    }
    assert.deepEqual(by, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    assert.deepEqual(
      made.map((w) => [w.scans, w.prepares, w.destroyed]),
      [
        [3, 1, true],
        [3, 1, true],
        [3, 1, true],
        [1, 1, false],
      ],
    );
  });

  it('two calls at once on one slot: the one still scanning when the share is reached finishes on the retired worker', async () => {
    const { slots, made } = fakeSlots();
    const pool = { slots, scansPerWorker: 1 };
    const gate = deferred();
    const slow = yaraWithinTime(
      pool,
      0,
      request,
      calls(async (w) => {
        await gate.promise;
        return [match(w)];
      }),
    );
    await new Promise((r) => setImmediate(r));
    const fast = await yaraWithinTime(
      pool,
      0,
      request,
      calls(async (w) => [match(w)]),
    );
    assert.ok('matches' in fast && fast.matches[0]!.offset === 0);
    assert.equal(slots.at(0), made[1], 'retired after its one scan');
    assert.equal(made[0]!.destroyed, false, 'kept for the scan still running on it');
    gate.resolve();
    const late = await slow;
    assert.ok('matches' in late && late.matches[0]!.offset === 0, 'that scan’s matches are kept');
    assert.equal(made[0]!.destroyed, true);
  });

  it('a worker whose YARA-X trapped ("unreachable": no room for another instance) is replaced and the call made again there', async () => {
    const { slots, made } = fakeSlots();
    const pool = { slots, scansPerWorker: 100 };
    const outcome = await yaraWithinTime(
      pool,
      0,
      request,
      calls(async (w) => {
        if (w.id === 0) throw new Error('unreachable');
        return [match(w)];
      }),
    );
    assert.ok('matches' in outcome && outcome.matches[0]!.offset === 1);
    assert.equal(made[0]!.destroyed, true);
  });
});

describe('the CLI scan pool renewing its thread', () => {
  it('finds the same matches on every call while its thread is replaced every 2 scans', async () => {
    const pool = new NodeScanPool(await loadWasmBytesNode(), 1, 2);
    try {
      const scan = pool.yaraOnWorker({ rules: 'rule needle { strings: $n = "needle" condition: $n }', timeoutMs: 60_000 })!;
      for (let i = 0; i < 7; i++) {
        const bytes = new Uint8Array(8192);
        bytes.set(new TextEncoder().encode('needle'), 100 * i);
        const found = await scan(bytes, bytes.length);
        assert.ok('matches' in found, `call ${i}`);
        assert.deepEqual(
          found.matches.map((m) => m.offset),
          [100 * i],
        );
      }
    } finally {
      await pool.terminate();
    }
  });
});
