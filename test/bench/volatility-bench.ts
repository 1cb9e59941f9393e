/**
 * The same plugins under Volatility 3 and the built memscope CLI, one after the other on the same image and symbols:
 * wall time of each (median of a few runs, both caches warm: a first run of each fills them) and rows counted by each.
 * Run with VOLATILITY3=DIR (the folder holding vol.py).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const RUNS = 3;

export interface VolatilityComparison {
  readonly plugin: string;
  readonly volatilitySeconds: number;
  readonly memscopeSeconds: number;
  readonly volatilityRows: number;
  readonly memscopeRows: number;
}

/** Why not, when `dir` holds no vol.py. */
export function volatilityBench(dir: string, image: string, symbols: string, plugins: readonly string[]): VolatilityComparison[] | string {
  const volPy = join(dir, 'vol.py');
  if (!existsSync(volPy)) return `no vol.py in ${dir}`;
  const scratch = mkdtempSync(join(tmpdir(), 'memscope-vol-bench-'));
  const env = { ...process.env, XDG_CACHE_HOME: join(scratch, 'memscope-cache') };
  const volCache = join(scratch, 'vol-cache');
  mkdirSync(volCache);
  const timed = (command: string, args: readonly string[]): { seconds: number; rows: number } => {
    const median: { seconds: number; rows: number }[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const t0 = performance.now();
      const r = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
      const seconds = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed: ${r.stderr.slice(-2000)}`);
      // The first run fills the caches and is not counted.
      if (run > 0)
        median.push({ seconds, rows: r.stdout.split('\n').reduce((n, line) => n + (line.startsWith('{') ? rowsIn(JSON.parse(line)) : 0), 0) });
    }
    return median.sort((a, b) => a.seconds - b.seconds)[Math.floor(median.length / 2)]!;
  };
  try {
    return plugins.map((plugin) => {
      const vol = timed(PYTHON, [volPy, '--offline', '-q', '-r', 'jsonl', '--cache-path', volCache, '-s', symbols, '-f', image, plugin]);
      const ours = timed(process.execPath, [CLI, '-r', 'jsonl', '-f', image, '-s', symbols, plugin]);
      return { plugin, volatilitySeconds: vol.seconds, memscopeSeconds: ours.seconds, volatilityRows: vol.rows, memscopeRows: ours.rows };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A row and the rows nested in it: Volatility's JSON renderers put a tree's child rows in `__children`. */
function rowsIn(row: { __children?: unknown[] }): number {
  return 1 + (row.__children ?? []).reduce<number>((n, child) => n + rowsIn(child as { __children?: unknown[] }), 0);
}
