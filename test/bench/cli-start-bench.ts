import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
const RUNS = 10;

export interface CliStart {
  readonly label: string;
  /** Median wall time of RUNS runs, process start to exit (after the last row), warm cache. */
  readonly medianSeconds: number;
  readonly rows: number;
}

/**
 * Wall time of the built CLI per list plugin on an image opened once before (a run before the timed ones fills the
 * cache in `cacheDir`: discovery, symbol digests, kallsyms), median of RUNS; and bare `node -e 0` for scale.
 */
export function cliStartBench(cases: readonly { label: string; args: readonly string[] }[], cacheDir: string): CliStart[] {
  rmSync(cacheDir, { recursive: true, force: true });
  const env = { ...process.env, XDG_CACHE_HOME: cacheDir };
  const time = (args: readonly string[]): { seconds: number; stdout: string } => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    return { seconds, stdout: r.stdout };
  };
  const median = (args: readonly string[]): { seconds: number; stdout: string } => {
    time(args);
    const runs = Array.from({ length: RUNS }, () => time(args)).sort((a, b) => a.seconds - b.seconds);
    return runs[Math.floor(RUNS / 2)]!;
  };
  const node = median(['-e', '0']);
  return [
    { label: 'node -e 0 alone', medianSeconds: node.seconds, rows: 0 },
    ...cases.map(({ label, args }) => {
      const r = median([CLI, '-r', 'jsonl', ...args]);
      return { label, medianSeconds: r.seconds, rows: r.stdout.split('\n').filter(Boolean).length };
    }),
  ];
}
