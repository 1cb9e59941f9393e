/**
 * Volatility 3 from the test data's tools folder (its source archive; Debian's python3 is all it needs), as an
 * independent oracle: extracted once per test file, run as a child process with JSON output.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { needTestData } from './need-test-data.ts';
import { testDataPath } from './test-data.ts';

/**
 * The Python that runs Volatility: Debian's where it is installed (the one `apt-get install python3-pefile` serves;
 * a python3 of pyenv or a venv earlier on PATH may lack the modules its plugins import), else python3 on PATH.
 */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The Volatility 3 source archive in the test data's tools folder (see its README). */
function volatilityArchive(): string | undefined {
  const tools = testDataPath('tools');
  return existsSync(tools) ? readdirSync(tools).find((f) => /^volatility3-.*\.tar\.xz$/.test(f)) : undefined;
}

/** node:test `skip` value: false when the archive and the tools to run it are here. */
export function volatilitySkipReason(): string | false {
  return needTestData(`tools/${volatilityArchive() ?? 'volatility3-*.tar.xz'}`, ['python3', 'tar', 'xz']);
}

export function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject).on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Extracts Volatility's source into `dir`; returns the folder of vol.py and the volatility3 package (dir/volatility3). */
export function extractVolatilitySource(dir: string): string {
  const tar = spawnSync('tar', ['-xJf', testDataPath('tools', volatilityArchive()!), '-C', dir]);
  assert.equal(tar.status, 0, String(tar.stderr));
  return join(dir, 'volatility3');
}

/**
 * Extracts Volatility into `dir` (dir/volatility3); returns a runner of its plugins. Each symbol folder gets a cache
 * folder of its own: Volatility indexes the symbol files it finds into its cache, and two runs building one index at
 * the same time can miss files.
 */
export function extractVolatility(dir: string): (symbols: string, image: string, plugin: string, args?: readonly string[]) => Promise<unknown[]> {
  extractVolatilitySource(dir);
  const caches = new Map<string, string>();
  return async (symbols, image, plugin, pluginArgs = []) => {
    let cache = caches.get(symbols);
    if (!cache) {
      cache = join(dir, `cache-${caches.size}`);
      mkdirSync(cache, { recursive: true });
      caches.set(symbols, cache);
    }
    const args = [join(dir, 'volatility3/vol.py'), '--offline', '-q', '-r', 'json', '--cache-path', cache, '-s', symbols, '-f', image, plugin];
    const r = await run(PYTHON, [...args, ...pluginArgs]);
    assert.equal(r.code, 0, `${plugin}: ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout) as unknown[];
  };
}
