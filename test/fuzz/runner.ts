import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUZZ_CACHE } from './inputs.ts';
import type { ChildResult, Job } from './job.ts';

const CHILD_SOURCE = fileURLToPath(new URL('./child.ts', import.meta.url));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The V8 heap a run may use, and the resident memory at which it is stopped as an unbounded allocation. */
export const HEAP_LIMIT_MB = 1024;
export const RSS_LIMIT_KB = 2 * 1024 * 1024;
const SAMPLE_MS = 100;
/** Kept of a dying child's stderr (an uncaught exception's message and stack, V8's out-of-memory report). */
const STDERR_TAIL = 4000;

/** What happened to one run, before it is judged (verdict.ts). */
export type RunEnd =
  | { readonly kind: 'answered'; readonly result: ChildResult }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'over-memory'; readonly rssKb: number }
  | { readonly kind: 'died'; readonly code: number | null; readonly signal: string | null; readonly stderr: string };

export interface RunRecord {
  readonly end: RunEnd;
  readonly ms: number;
  /** The child's peak resident memory (its own count when it answered, else the highest sample). */
  readonly peakRssKb: number;
}

/** What a run that failed said of it, in full: an internal error's line and stack, or a dying child's stderr. */
export function reportOf(end: RunEnd): string | undefined {
  if (end.kind === 'died') return end.stderr;
  if (end.kind === 'answered' && end.result.kind === 'error') return end.result.line;
  return undefined;
}

/** The wall-time bound of one run: 10 s to start and open, and 2 minutes per GiB of input, at least `floorMs`. */
export function timeLimitMs(size: number, floorMs = 0): number {
  return Math.max(floorMs, 10_000 + Math.ceil((120_000 * size) / GiB));
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

let bundled: Promise<string> | undefined;

/**
 * child.ts and the engine bundled into one module (once per process, from the sources as they are): a child then
 * starts in a fraction of the time tsx takes to load the modules one by one. Packages stay external (found from
 * .cache/fuzz/ in node_modules); its source map serves replays (`debug`: stacks point into the sources). In a folder
 * of this process's own, for campaigns running side by side, removed when it exits.
 */
function childBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(FUZZ_CACHE, `child-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'child.mjs');
    await build({
      entryPoints: [CHILD_SOURCE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile,
      sourcemap: true,
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

/**
 * Runs `job` in a new Node process with a heap limit, stopped when it outlives `limitMs` or its memory passes
 * RSS_LIMIT_KB. `debug`: stacks through the source map (slower to start).
 */
export async function runInChild(job: Job, limitMs: number, debug = false): Promise<RunRecord> {
  const script = await childBundle();
  const started = Date.now();
  const child = fork(script, [], {
    execArgv: [...(debug ? ['--enable-source-maps'] : []), `--max-old-space-size=${HEAP_LIMIT_MB}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, MEMSCOPE_SCAN_WORKERS: '0' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
  let answer: ChildResult | undefined;
  let stopped: RunEnd | undefined;
  let peak = 0;
  child.on('message', (m: ChildResult) => (answer = m));
  const stop = (why: RunEnd): void => {
    stopped ??= why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => stop({ kind: 'timed-out' }), limitMs);
  const sampler = setInterval(() => {
    const rss = child.pid === undefined ? 0 : rssKb(child.pid);
    peak = Math.max(peak, rss);
    if (rss > RSS_LIMIT_KB) stop({ kind: 'over-memory', rssKb: rss });
  }, SAMPLE_MS);
  child.send(job);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const end: RunEnd = stopped ?? (answer ? { kind: 'answered', result: answer } : { kind: 'died', code, signal, stderr: stderr.trim() });
      resolve({ end, ms: Date.now() - started, peakRssKb: Math.max(peak, answer?.maxRssKb ?? 0) });
    });
  });
}
