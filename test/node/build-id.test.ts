import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { buildIdDefine, computeBuildId } from '../../src/build/build-id.mjs';
import { BUILD_ID } from '../../src/engine/build-id.ts';

/** A project tree in a fresh temporary directory. */
async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'memscope-build-id-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const BASE = {
  'src/engine/a.ts': 'export const a = 1;',
  'src/engine/b.ts': 'export const b = 2;',
  'assembly/index.ts': 'export function f(): i32 { return 1; }',
  'package-lock.json': '{"lockfileVersion":3}',
};

describe('build identity', () => {
  it('is a content hash of what decides behaviour: equal sources, equal id; any change in them, another id', async () => {
    const id = await computeBuildId(await project(BASE));
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await computeBuildId(await project(BASE)), id);
    // Files outside the inputs (tests, build output) do not change it.
    assert.equal(await computeBuildId(await project({ ...BASE, 'test/x.test.ts': 'x', 'dist/app/main.js': 'y' })), id);
    const changed = [
      { ...BASE, 'src/engine/b.ts': 'export const b = 3;' },
      { ...BASE, 'assembly/index.ts': 'export function f(): i32 { return 2; }' },
      { ...BASE, 'package-lock.json': '{"lockfileVersion":3,"packages":{}}' },
      { ...BASE, 'src/engine/c.ts': '' },
      // The same bytes under other names.
      {
        'src/engine/a.ts': BASE['src/engine/b.ts'],
        'src/engine/b.ts': BASE['src/engine/a.ts'],
        'assembly/index.ts': BASE['assembly/index.ts'],
        'package-lock.json': BASE['package-lock.json'],
      },
    ];
    for (const files of changed) assert.notEqual(await computeBuildId(await project(files)), id, JSON.stringify(files));
  });

  it('is compiled into a bundle by the build’s define, and absent when run from source', async () => {
    assert.equal(BUILD_ID, undefined);
    const outfile = join(await mkdtemp(join(tmpdir(), 'memscope-build-id-')), 'build-id.mjs');
    await esbuild.build({
      entryPoints: [fileURLToPath(new URL('../../src/engine/build-id.ts', import.meta.url))],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      define: buildIdDefine('0123abcd'),
      logLevel: 'warning',
    });
    const bundled = (await import(pathToFileURL(outfile).href)) as { BUILD_ID: unknown };
    assert.equal(bundled.BUILD_ID, '0123abcd');
  });
});
