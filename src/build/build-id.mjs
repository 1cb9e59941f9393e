// The build identity `npm run build` compiles into every bundle (read by src/engine/build-id.ts).
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What decides how a build behaves: its sources, the Wasm's sources, the locked dependencies, the compiler settings. */
const INPUTS = ['src', 'assembly', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'asconfig.json'];

/** sha-256 over every input file's path and bytes, in path order: equal for equal sources on any machine. */
export async function computeBuildId(root) {
  const hash = createHash('sha256');
  for (const path of (await Promise.all(INPUTS.map((p) => filesUnder(root, p)))).flat().sort()) {
    const bytes = await readFile(join(root, path));
    hash.update(`${path}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** esbuild `define` entries that compile `id` in. */
export function buildIdDefine(id) {
  return { MEMSCOPE_BUILD_ID: JSON.stringify(id) };
}

/** Project-relative paths ('/'-separated) of the files at or under `path`. */
async function filesUnder(root, path) {
  const info = await stat(join(root, path)).catch((e) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  if (!info?.isDirectory()) return info?.isFile() ? [path] : [];
  const names = await readdir(join(root, path));
  return (await Promise.all(names.map((name) => filesUnder(root, `${path}/${name}`)))).flat();
}
