import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { openSession } from '../../src/engine/session.ts';
import { instantiateMemscopeWasm } from '../../src/layers/wasm-module.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { scanWorkerCount, SCAN_WORKERS_ENV } from '../../src/node/node-scan-pool.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import { createScanner } from '../../src/scan/scanner.ts';

const MiB = 1024 * 1024;

export interface Timed<T> {
  readonly value: T;
  readonly seconds: number;
}

export async function timed<T>(f: () => Promise<T> | T): Promise<Timed<T>> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Sequential read of the whole file with fs.readSync in 16 MiB slices: bytes per second, best of three
 * (the first pass also brings the file into the page cache, where the scans below will find it).
 */
export function nodeReadBandwidth(path: string): number {
  const size = statSync(path).size;
  const buf = Buffer.allocUnsafe(16 * MiB);
  const fd = openSync(path, 'r');
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let off = 0; off < size; off += buf.length) readSync(fd, buf, 0, Math.min(buf.length, size - off), off);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  closeSync(fd);
  return size / best;
}

/** In-memory scan speed of one Wasm instance (= one worker) over 256 MiB, psscan's two pool tags. */
export async function wasmScanBandwidth(): Promise<number> {
  const wasm = await instantiateMemscopeWasm(await loadWasmBytesNode());
  const size = 256 * MiB;
  const scanner = createScanner(wasm, { kind: 'tags', tags: ['Pro\xe3', 'Proc'] }, { chunkCapacity: size });
  const input = scanner.inputView(size);
  for (let i = 0; i < size; i += 4096) input[i] = i & 0xff;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = await timed(() => scanner.scanChunk(scanner.inputView(size), 0, size));
    best = Math.min(best, t.seconds);
  }
  scanner.dispose();
  return size / best;
}

/** Pool-scan plugins besides psscan: the session's first pool scan's pass has what they look for. */
export const OTHER_POOL_SCANS = [
  'windows.thrdscan',
  'windows.netscan',
  'windows.filescan',
  'windows.mutantscan',
  'windows.symlinkscan',
  'windows.modscan',
  'windows.driverscan',
];

export interface SessionBench {
  readonly openSeconds: number;
  readonly pslistSeconds: number;
  readonly pslistRows: number;
  readonly reopenPslistSeconds: number;
  readonly psscanSeconds: number;
  readonly psscanRows: number;
  /** When psscan's first row came (rows stream as the scan goes). */
  readonly psscanFirstRowSeconds: number;
  /** The session's other pool scans after psscan, answered from its pool-tag pass. */
  readonly otherPoolScansSeconds: number;
  readonly otherPoolScansRows: number;
  /** Per-process depth: every process's handle table and VAD tree. */
  readonly handlesSeconds: number;
  readonly handlesRows: number;
  readonly vadinfoSeconds: number;
  readonly vadinfoRows: number;
  readonly capturedBytes: number;
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number;
}

/**
 * Open → pslist, open again with the discovery cached → pslist, then psscan end to end, handles and vadinfo; peak memory
 * sampled. Run in a process of its own (sessionBenchInChild) so the peaks belong to this image alone.
 */
export async function sessionBench(path: string, symbolDir: string): Promise<SessionBench> {
  const cache = new MemoryKeyValueCache();
  let peakHeap = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    peakRss = Math.max(peakRss, m.rss);
  }, 5);
  const env = { ...(await createNodeEnv({ symbolDirs: [symbolDir], cache: false })), discoveryCache: cache };
  /** The plugin's row count, and the seconds its first row took. */
  const count = async (session: Awaited<ReturnType<typeof openSession>>, plugin: string) => {
    const t0 = performance.now();
    let n = 0;
    let firstRowSeconds = NaN;
    for await (const _ of session.run(plugin, {}, {})) if (n++ === 0) firstRowSeconds = (performance.now() - t0) / 1000;
    return { rows: n, firstRowSeconds };
  };
  const open = await timed(async () => openSession(await NodeFileSource.open(path), env));
  const pslist = await timed(() => count(open.value, 'windows.pslist'));
  const reopen = await timed(async () => {
    const again = await openSession(await NodeFileSource.open(path), env);
    const { rows } = await count(again, 'windows.pslist');
    await again.close();
    return rows;
  });
  const psscan = await timed(() => count(open.value, 'windows.psscan'));
  const otherPoolScans = await timed(async () => {
    let rows = 0;
    for (const plugin of OTHER_POOL_SCANS) rows += (await count(open.value, plugin)).rows;
    return rows;
  });
  const handles = await timed(() => count(open.value, 'windows.handles'));
  const vadinfo = await timed(() => count(open.value, 'windows.vadinfo'));
  clearInterval(sampler);
  await open.value.close();
  return {
    openSeconds: open.seconds,
    pslistSeconds: pslist.seconds,
    pslistRows: pslist.value.rows,
    reopenPslistSeconds: reopen.seconds,
    psscanSeconds: psscan.seconds,
    psscanRows: psscan.value.rows,
    psscanFirstRowSeconds: psscan.value.firstRowSeconds,
    otherPoolScansSeconds: otherPoolScans.seconds,
    otherPoolScansRows: otherPoolScans.value,
    handlesSeconds: handles.seconds,
    handlesRows: handles.value.rows,
    vadinfoSeconds: vadinfo.seconds,
    vadinfoRows: vadinfo.value.rows,
    capturedBytes: open.value.physical.capturedBytes,
    peakHeapBytes: peakHeap,
    peakRssBytes: peakRss,
  };
}

export interface PoolBench {
  /** Scan threads the pool had (the cores available up to 4; none on one core). */
  readonly threads: number;
  readonly inlineSeconds: number;
  readonly poolSeconds: number;
}

/**
 * The built command line's psscan, process start to exit, scanning on its main thread (MEMSCOPE_SCAN_WORKERS=0) and
 * with its scan pool: best of three each, after a run that brings the file into the page cache; no cache read or written.
 */
export function cliPsscanPoolBench(path: string, symbolDir: string, cacheDir: string): PoolBench {
  const cli = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
  const run = (workers?: number) => {
    const env = { ...process.env, XDG_CACHE_HOME: cacheDir, [SCAN_WORKERS_ENV]: workers === undefined ? '' : String(workers) };
    const t0 = performance.now();
    // --no-cache: a kept pool-tag pass would answer without scanning (discovery runs again each time, inline and pooled alike).
    const r = spawnSync(process.execPath, [cli, '--no-cache', '-f', path, '-s', symbolDir, '-r', 'jsonl', 'windows.psscan'], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`memscope psscan failed: ${r.stderr}`);
    return (performance.now() - t0) / 1000;
  };
  run(0);
  const best = (workers?: number) => Math.min(run(workers), run(workers), run(workers));
  return { threads: scanWorkerCount({}), inlineSeconds: best(0), poolSeconds: best() };
}

/**
 * Runs sessionBench in a fresh Node process (this file as its entry) and returns its figures. It scans on its main
 * thread: from source, scan-pool threads would each start tsx first (cliPsscanPoolBench measures the pool, built).
 */
export function sessionBenchInChild(path: string, symbolDir: string): SessionBench {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), path, symbolDir], {
    encoding: 'utf8',
    env: { ...process.env, [SCAN_WORKERS_ENV]: '0' },
  });
  if (child.status !== 0) throw new Error(`session bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SessionBench;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await sessionBench(process.argv[2]!, process.argv[3]!)));
}
