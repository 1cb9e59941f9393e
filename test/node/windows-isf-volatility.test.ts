// Volatility 3 itself as the oracle of the table memscope discovers in a Windows image with no symbol file
// (`memscope -f IMAGE windows-isf`): given only that file, its process plugins must give the rows they give with the
// kernel's real ISF.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { extractVolatility, run, volatilitySkipReason } from '../helpers/volatility.ts';
import { windowsImage } from '../helpers/windows-session.ts';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
const PLUGINS = ['windows.pslist', 'windows.pstree', 'windows.cmdline', 'windows.dlllist'] as const;

describe('Volatility 3 runs its process plugins on the table memscope discovers in a Windows image', { skip: volatilitySkipReason() }, () => {
  const discovered = new Map<string, unknown[]>();
  const real = new Map<string, unknown[]>();
  let key = '';

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const dir = mkdtempSync(join(tmpdir(), 'memscope-vol-windows-'));
    const { image: bytes } = await windowsImage({ size: 24 * 1024 * 1024, seed: 11 });
    const image = join(dir, 'image.raw');
    writeFileSync(image, bytes);
    const volatility = extractVolatility(dir);
    const isf = await run(process.execPath, [CLI, '-f', image, '--no-cache', 'windows-isf']);
    assert.equal(isf.code, 0, isf.stderr);
    key = /DIR\/windows\/(ntkrnlmp\.pdb\/[0-9A-F]{32}-\d+)\.json/.exec(isf.stderr)?.[1] ?? '';
    const file = join(dir, 'symbols', 'windows', `${key}.json`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, isf.stdout);
    // One Volatility at a time for each table, the two tables side by side (each run is one single-threaded process).
    await Promise.all([
      (async () => {
        for (const p of PLUGINS) discovered.set(p, await volatility(join(dir, 'symbols'), image, p));
      })(),
      (async () => {
        for (const p of PLUGINS) real.set(p, await volatility(REPO_SYMBOLS, image, p));
      })(),
    ]);
  });

  it('names the file as Volatility looks for it: the kernel PDB’s GUID and age', () => {
    assert.equal(key, 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1');
  });

  for (const plugin of PLUGINS) {
    it(`${plugin}: the same rows as with the kernel's ISF`, () => {
      assert.ok((real.get(plugin)?.length ?? 0) > 0, plugin);
      assert.deepEqual(discovered.get(plugin), real.get(plugin));
    });
  }
});
