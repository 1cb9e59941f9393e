/**
 * yarascan.yarascan against the `yara` command-line tool (libyara 4, Debian's package) on the same file and rules, one
 * after the other in this run: wall-clock seconds for the whole image, matches counted by each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';

/** Rules of the usual kinds: text (ascii and wide), hex with a wildcard, a regexp. */
export const BENCH_RULES = String.raw`
rule bench_text { strings: $a = "lsass.exe" ascii wide nocase $b = "MemScope-bench-marker" condition: any of them }
rule bench_hex { strings: $mz = { 4D 5A 90 00 03 00 00 00 04 00 } $j = { 48 8B ?? 24 08 48 89 } condition: any of them }
rule bench_re { strings: $url = /https?:\/\/[a-z0-9.-]{4,40}\/[a-z]{2,10}\.php/ condition: any of them }
`;

export interface YaraBench {
  readonly bytes: number;
  readonly memscopeSeconds: number;
  readonly memscopeRows: number;
  /** Undefined when the yara command is not installed. */
  readonly yaraSeconds?: number;
  readonly yaraMatches?: number;
}

export async function yaraBench(path: string): Promise<YaraBench> {
  const bytes = statSync(path).size;
  const session = await openSession(await NodeFileSource.open(path), await createNodeEnv({ symbolDirs: [], cache: false }));
  let memscopeRows = 0;
  const t0 = performance.now();
  for await (const _row of session.run('yarascan.yarascan', { 'yara-rules': BENCH_RULES }, {})) memscopeRows++;
  const memscopeSeconds = (performance.now() - t0) / 1000;
  await session.close();
  const dir = mkdtempSync(join(tmpdir(), 'memscope-yara-bench-'));
  try {
    const rules = join(dir, 'bench.yar');
    writeFileSync(rules, BENCH_RULES);
    const t1 = performance.now();
    const cli = spawnSync('yara', ['-s', rules, path], { encoding: 'latin1', maxBuffer: 1 << 30 });
    const yaraSeconds = (performance.now() - t1) / 1000;
    if (cli.error || cli.status !== 0) return { bytes, memscopeSeconds, memscopeRows };
    const yaraMatches = cli.stdout.split('\n').filter((l) => l.startsWith('0x')).length;
    return { bytes, memscopeSeconds, memscopeRows, yaraSeconds, yaraMatches };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
