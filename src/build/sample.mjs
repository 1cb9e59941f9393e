// Writes the "Try a sample" image with the synthetic Windows image generator (test/fixtures/windows).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ROOT } from './paths.mjs';

const GENERATOR = join(ROOT, 'test/fixtures/windows/write-image.ts');
const SIZE = '16MiB';
const ISF_LICENSE = join(ROOT, 'test/fixtures/windows/symbols/LICENSE-JPCERTCC');

/**
 * Generates dist/sample/sample.raw and its symbol pack, and sample/sample.json listing them (relative
 * paths, read by the page; the image's with its content hash as a query, so that the service worker's cached copy,
 * kept by URL, is the one this build ships). Returns false, with a warning, when the generator is not in the tree.
 */
export async function writeSample(sampleDir) {
  if (!existsSync(GENERATOR)) {
    console.warn(`build: no sample (${relative(ROOT, GENERATOR)} not found)`);
    return false;
  }
  const work = await mkdtemp(join(tmpdir(), 'memscope-sample-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', GENERATOR, '--out', work, '--size', SIZE], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`sample generator failed (exit ${run.status ?? run.signal})`);
    const image = (await readdir(work)).find((f) => f.endsWith('.raw'));
    if (!image) throw new Error('sample generator wrote no .raw file');
    await mkdir(sampleDir, { recursive: true });
    await rename(join(work, image), join(sampleDir, 'sample.raw')).catch(() => cp(join(work, image), join(sampleDir, 'sample.raw')));
    const symbols = existsSync(join(work, 'symbols')) ? await listFiles(join(work, 'symbols')) : [];
    if (symbols.length > 0) await cp(join(work, 'symbols'), join(sampleDir, 'symbols'), { recursive: true });
    // The sample's symbols are cut from JPCERT/CC's table (BSD-3-Clause): its licence travels with them.
    if (symbols.length > 0) await cp(ISF_LICENSE, join(sampleDir, 'symbols', 'LICENSE-JPCERTCC'));
    const version = createHash('sha256')
      .update(await readFile(join(sampleDir, 'sample.raw')))
      .digest('hex')
      .slice(0, 16);
    const manifest = { image: `sample.raw?v=${version}`, symbols: symbols.map((f) => ['symbols', ...f.split(sep)].join('/')) };
    await writeFile(join(sampleDir, 'sample.json'), JSON.stringify(manifest, null, 2) + '\n');
    return true;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
}
