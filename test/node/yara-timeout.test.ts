/**
 * YARA-X's Wasm build keeps no time (its setTimeoutMs does nothing: yara.ts), so memscope stops a worker that runs past
 * --yara-timeout from outside. Truth here is what the test planted: a run of "a" under /a.{0,1000}b/ keeps YARA-X busy
 * for seconds per 64 KiB (measured: ~7 s), "needle"s before and after it.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { NodeScanPool } from '../../src/node/node-scan-pool.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import type { PluginContext, RunWarning, YaraChunkOutcome } from '../../src/plugins/api.ts';
import { processYaraRows } from '../../src/plugins/common/region-yara.ts';
import { YARA_CHUNK } from '../../src/plugins/common/yara-scan.ts';
import { collectRun } from '../helpers/windows-session.ts';

const SLOW = 'rule slow { strings: $a = /a.{0,1000}b/ condition: $a }';
const NEEDLE = 'rule needle { strings: $n = "needle" condition: $n }';
const text = (s: string) => new TextEncoder().encode(s);
/** ~30 s of work for YARA-X; a chunk without it takes ~0.1 s, ~1 s on a loaded machine: well under TIMEOUT_S. */
const STALL_BYTES = 256 * 1024;
const stall = () => new Uint8Array(STALL_BYTES).fill(0x61);
const TIMEOUT_S = 4;

describe('YARA runs past --yara-timeout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-yara-timeout-'));
  const image = join(dir, 'stall.raw');
  const FIRST = 0x1234;
  const STALL = YARA_CHUNK + 0x10000;
  const LAST = 2 * YARA_CHUNK + 0x4321;
  let session: Session;
  let pool: NodeScanPool;

  before(async () => {
    const fd = openSync(image, 'w');
    writeSync(fd, text('needle'), 0, 6, FIRST);
    writeSync(fd, stall(), 0, STALL_BYTES, STALL);
    writeSync(fd, text('needle'), 0, 6, LAST);
    writeSync(fd, new Uint8Array(1), 0, 1, 3 * YARA_CHUNK - 1);
    closeSync(fd);
    session = await openSession(await NodeFileSource.open(image), await createNodeEnv({ symbolDirs: [], cache: false, scanWorkers: 2 }));
    pool = new NodeScanPool(await loadWasmBytesNode(), 1);
  });
  after(async () => {
    await session.close();
    await pool.terminate();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pooled thread stuck in a rule is stopped, and the next call gets a fresh one', async () => {
    const request = { rules: `${SLOW}\n${NEEDLE}`, timeoutMs: TIMEOUT_S * 1000 };
    const scan = pool.yaraOnWorker(request)!;
    assert.deepEqual(await scan(stall(), STALL_BYTES), { timedOut: true });
    const bytes = new Uint8Array(4096);
    bytes.set(text('needle'), 100);
    const found: YaraChunkOutcome = await scan(bytes, bytes.length);
    assert.ok('matches' in found);
    assert.deepEqual(
      found.matches.map((m) => [m.rule, m.offset]),
      [['needle', 100]],
    );
  });

  it('yarascan stops at the chunk YARA ran out of time on, keeps the matches before it and says what was not scanned', async () => {
    const { rows, warnings } = await collectRun(session, 'yarascan.yarascan', { 'yara-rules': `${SLOW}\n${NEEDLE}`, 'yara-timeout': TIMEOUT_S });
    assert.deepEqual(
      rows.map((r) => [r.values[0], r.values[1]]),
      [[BigInt(FIRST), 'needle']],
    );
    const stopped = warnings.filter((w) => w.code === 'LIMIT');
    assert.equal(stopped.length, 1);
    assert.match(stopped[0]!.message, new RegExp(`^YARA took over ${TIMEOUT_S} s on the memory at 0x${YARA_CHUNK.toString(16)} and was stopped`));
  });

  it('the next scan on the same image runs whole on fresh threads', async () => {
    const { rows, warnings } = await collectRun(session, 'yarascan.yarascan', { 'yara-rules': NEEDLE });
    assert.deepEqual(
      rows.map((r) => r.values[0]),
      [BigInt(FIRST), BigInt(LAST)],
    );
    assert.deepEqual(warnings, []);
  });
});

describe('a per-process scan whose rules run out of time', () => {
  it('stops at that region with one warning: no region after it is scanned', async () => {
    const scanned: number[] = [];
    const warnings: RunWarning[] = [];
    const region = (start: bigint) => ({ start, length: 0x1000n });
    const space = {
      read: async (address: bigint, length: number) => {
        const bytes = new Uint8Array(length);
        bytes.set(text('needle'), 8);
        return address === 0x3000n ? null : bytes;
      },
      readU32: async () => null,
      readU64: async () => null,
      translate: async () => null,
      mappedRuns: async function* (): AsyncGenerator<never> {},
    };
    // The host's worker: a match in the first region, out of time in the second.
    const onWorker =
      () =>
      async (bytes: Uint8Array, length: number): Promise<YaraChunkOutcome> => {
        scanned.push(length);
        if (scanned.length === 2) return { timedOut: true };
        return { matches: [{ offset: 8, rule: 'r1', pattern: '$a', value: bytes.slice(8, 14), capped: false }] };
      };
    const ctx = {
      options: { 'yara-string': 'needle', 'yara-timeout': 3 },
      warn: (w: RunWarning) => warnings.push(w),
      progress: () => undefined,
      yaraOnWorker: onWorker,
    } as unknown as PluginContext;
    const rows = [];
    const listed = async function* () {
      yield { pid: 7, name: 'x', space, regions: [region(0x1000n), region(0x2000n), region(0x4000n)] };
      yield { pid: 8, name: 'y', space, regions: [region(0x1000n)] };
    };
    for await (const row of processYaraRows(ctx, 'VMA', listed)) rows.push(row.values.slice(0, 3));
    assert.deepEqual(rows, [[0x1008n, 7, 'x']]);
    assert.equal(scanned.length, 2);
    assert.deepEqual(warnings, [
      {
        code: 'LIMIT',
        message:
          'YARA took over 3 s on the memory at 0x2000 and was stopped: nothing from there on was scanned (a rule too slow for this data: simplify it, or raise --yara-timeout)',
      },
    ]);
  });
});
