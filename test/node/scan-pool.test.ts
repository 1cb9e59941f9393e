import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { InlineScanService } from '../../src/engine/inline-scan-service.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ScanHit, ScanService, ScanSpec } from '../../src/engine/scan-service.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { NodeScanPool, scanWorkerCount } from '../../src/node/node-scan-pool.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import { writeWindowsImage } from '../fixtures/windows/generate.ts';
import { buildLime } from '../helpers/lime-writer.ts';
import { collect } from '../helpers/windows-session.ts';

const MiB = 1024 * 1024;
/** Straddles the first 16 MiB chunk boundary (chunk-plan.ts SCAN_CHUNK_BYTES) of the raw image. */
const STRADDLE = new TextEncoder().encode('memscope:straddles-a-chunk-boundary');
const STRADDLE_AT = 16 * MiB - 11;
const SPECS: Record<string, ScanSpec> = {
  'pool tags': { kind: 'tags', tags: ['Proc', 'Pro\xe3', 'Thre', 'Thr\xe5', 'File', 'MmLd'] },
  'byte patterns': { kind: 'bytes', patterns: [STRADDLE, Uint8Array.of(0x4d, 0x5a, 0x90, 0x00)] },
};

async function hits(scanner: ScanService, layer: PhysicalLayer, spec: ScanSpec): Promise<ScanHit[]> {
  const found: ScanHit[] = [];
  for await (const hit of scanner.scan(layer, spec)) found.push(hit);
  return found;
}

describe('the CLI scan pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-scan-pool-'));
  let wasm: Uint8Array<ArrayBuffer>;
  let raw: string;
  let lime: string;
  let symbols: string;
  const pools: NodeScanPool[] = [];
  const pool = (size: number) => {
    pools.push(new NodeScanPool(wasm, size));
    return pools.at(-1)!;
  };
  const open = async (path: string) => openImage(await NodeFileSource.open(path));

  before(async () => {
    wasm = await loadWasmBytesNode();
    const image = await writeWindowsImage(dir, { size: 64 * MiB, seed: 5, name: 'pool' });
    raw = image.imagePath;
    symbols = join(dir, 'symbols');
    const fd = openSync(raw, 'r+');
    writeSync(fd, STRADDLE, 0, STRADDLE.length, STRADDLE_AT);
    closeSync(fd);
    // The same memory as a LiME file: two adjacent ranges (one segment of two file pieces), a hole, a third range.
    const bytes = readFileSync(raw);
    lime = join(dir, 'pool.lime');
    writeFileSync(
      lime,
      buildLime([
        { start: 0, data: bytes.subarray(0, 20 * MiB) },
        { start: 20 * MiB, data: bytes.subarray(20 * MiB, 40 * MiB) },
        { start: 48 * MiB, data: bytes.subarray(48 * MiB, 64 * MiB) },
      ]),
    );
  });

  after(async () => {
    await Promise.all(pools.map((p) => p.terminate()));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [what, spec] of Object.entries(SPECS)) {
    it(`finds what the inline scanner finds (${what}), across chunk boundaries and holes, with 1 and 2 threads`, async () => {
      const inline = new InlineScanService(wasm);
      for (const path of [raw, lime]) {
        const layer = await open(path);
        const expected = await hits(inline, layer, spec);
        assert.ok(expected.length > 3, `${path}: ${expected.length} hits`);
        for (const size of [1, 2]) assert.deepEqual(await hits(pool(size), layer, spec), expected, `${path}, ${size} threads`);
        await layer.source.close?.();
      }
    });
  }

  it('finds a pattern that crosses a chunk boundary once', async () => {
    const layer = await open(raw);
    const found = await hits(pool(2), layer, { kind: 'bytes', patterns: [STRADDLE] });
    assert.deepEqual(found, [{ pattern: 0, address: STRADDLE_AT }]);
    await layer.source.close?.();
  });

  it('a cancelled scan ends with CANCELLED, and the next scan on the same threads works', async () => {
    const threads = pool(2);
    const layer = await open(raw);
    const spec = SPECS['pool tags']!;
    const abort = new AbortController();
    const scan = async () => {
      for await (const _ of threads.scan(layer, spec, { signal: abort.signal, onProgress: () => abort.abort() }));
    };
    await assert.rejects(scan(), (e) => isMemscopeError(e) && e.code === 'CANCELLED');
    assert.deepEqual(await hits(threads, layer, spec), await hits(new InlineScanService(wasm), layer, spec));
    // Stopping the iteration stops the scan too; the threads take the next one.
    for await (const _ of threads.scan(layer, spec)) break;
    assert.ok((await hits(threads, layer, spec)).length > 3);
    await layer.source.close?.();
  });

  it('closing the pool ends its running scans with CANCELLED; a later scan starts new threads', async () => {
    const threads = pool(2);
    const layer = await open(raw);
    const spec = SPECS['pool tags']!;
    let closed: Promise<void> | undefined;
    const scan = async () => {
      for await (const _ of threads.scan(layer, spec, { onProgress: () => (closed ??= threads.terminate()) }));
    };
    await assert.rejects(scan(), (e) => isMemscopeError(e) && e.code === 'CANCELLED' && /closed/.test(e.message));
    await closed;
    assert.ok((await hits(threads, layer, spec)).length > 3);
    await layer.source.close?.();
  });

  it('scans memory and layers that are not a file on this thread', async () => {
    const bytes = readFileSync(raw).subarray(0, 32 * MiB);
    const layer = await openImage(new MemorySource(bytes, 'memory.raw'));
    const spec = SPECS['byte patterns']!;
    assert.deepEqual(await hits(pool(2), layer, spec), await hits(new InlineScanService(wasm), layer, spec));
  });

  it('sizes itself by the cores, up to 4 (none with one core), unless MEMSCOPE_SCAN_WORKERS says', () => {
    assert.deepEqual(
      [1, 2, 3, 8].map((cores) => scanWorkerCount({}, cores)),
      [0, 2, 3, 4],
    );
    assert.equal(scanWorkerCount({ MEMSCOPE_SCAN_WORKERS: '0' }), 0);
    assert.equal(scanWorkerCount({ MEMSCOPE_SCAN_WORKERS: '3' }), 3);
    assert.equal(scanWorkerCount({ MEMSCOPE_SCAN_WORKERS: 'many' }), scanWorkerCount({}));
  });

  /** The command line from source, with 2 scan threads: its exit status, stdout and how long it took. */
  function cli(args: readonly string[], stopAfterFirstLine = false): Promise<{ status: number | null; stdout: string; seconds: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        env: { ...process.env, MEMSCOPE_SCAN_WORKERS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stopAfterFirstLine && stdout.includes('\n')) child.stdout.destroy();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, seconds: (performance.now() - t0) / 1000 });
      });
    });
  }

  it('the command line exits when its pooled scan is done, and when its reader stops early (| head)', async () => {
    const done = await cli(['-f', raw, '-s', symbols, '--no-cache', '-r', 'jsonl', 'windows.psscan']);
    assert.equal(done.status, 0);
    assert.ok(done.stdout.trim().split('\n').length > 3);
    const stopped = await cli(['-f', raw, '-s', symbols, '--no-cache', '-r', 'jsonl', 'windows.psscan'], true);
    assert.equal(stopped.status, 0);
    assert.ok(stopped.seconds < 30, `${stopped.seconds} s`);
  });

  it('the command line exits when a scan left a thread without work (one chunk, two threads)', async () => {
    const small = join(dir, 'one-chunk.raw');
    writeFileSync(small, readFileSync(raw).subarray(0, 8 * MiB));
    const done = await cli(['-f', small, '--no-cache', '-r', 'jsonl', 'yarascan.yarascan', '--yara-string', 'MZ']);
    assert.equal(done.status, 0);
    assert.match(done.stdout, /"Rule": ?"r1"/);
  });

  it('yarascan gives the same rows from the threads as from the run’s own thread (LiME: pieces and a hole)', async () => {
    const rules = 'rule planted { strings: $s = "memscope:straddles" $mz = { 4D 5A 90 00 } $w = "Proc" wide condition: any of them }';
    const rows = async (scanWorkers: number) => {
      const session = await openSession(await NodeFileSource.open(lime), await createNodeEnv({ symbolDirs: [], cache: false, scanWorkers }));
      try {
        return await collect(session, 'yarascan.yarascan', { 'yara-rules': rules });
      } finally {
        await session.close();
      }
    };
    const inline = await rows(0);
    assert.ok(inline.length > 3);
    assert.deepEqual(await rows(2), inline);
  });
});
