/**
 * Bounded memory at any size: the 256 MiB bench image's bytes at the start of a sparse file of `gib` GiB (the rest
 * holes, no disk used), then the built CLI's windows.pslist and a full windows.psscan on it, each in its own process:
 * wall time and peak RSS (scan threads included).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, truncateSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SparseRun {
  readonly seconds: number;
  readonly rows: number;
  readonly peakRssBytes: number;
}

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
const RSS_AT_EXIT = fileURLToPath(new URL('./rss-at-exit.mjs', import.meta.url));

export function sparseBench(image: string, symbolDir: string, sparsePath: string, gib: number): { pslist: SparseRun; psscan: SparseRun } {
  copyFileSync(image, sparsePath);
  truncateSync(sparsePath, gib * 1024 ** 3);
  const run = (plugin: string): SparseRun => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', RSS_AT_EXIT, CLI, '--no-cache', '-f', sparsePath, '-s', symbolDir, '-r', 'jsonl', plugin], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`memscope ${plugin} on the sparse image failed: ${r.stderr}`);
    const kib = Number(/memscope-bench: maxRSS (\d+)/.exec(r.stderr)?.[1]);
    return { seconds, rows: r.stdout.split('\n').filter((l) => l.startsWith('{') && !l.includes('"__metadata')).length, peakRssBytes: kib * 1024 };
  };
  return { pslist: run('windows.pslist'), psscan: run('windows.psscan') };
}
