import { readFile, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemscopeError } from '../errors.ts';

const WASM_FILE = 'memscope.wasm';

/**
 * Node only: the bytes of memscope.wasm — next to the running bundle (dist/memscope.wasm for
 * dist/cli/memscope.mjs) or else <project root>/build/memscope.wasm.
 */
export async function loadWasmBytesNode(): Promise<Uint8Array<ArrayBuffer>> {
  const candidates = [fileURLToPath(new URL(`../${WASM_FILE}`, import.meta.url)), fileURLToPath(new URL(`./${WASM_FILE}`, import.meta.url))];
  const root = await findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  if (root) candidates.push(join(root, 'build', WASM_FILE));
  for (const path of candidates) {
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new MemscopeError('READ_FAILED', `cannot read (${(e as Error).message})`, path);
      }
    }
  }
  throw new MemscopeError('UNSUPPORTED', `${WASM_FILE} not found (looked at ${candidates.join(', ')}); run npm run build`);
}

async function findProjectRoot(start: string): Promise<string | null> {
  let dir = start;
  for (let depth = 0; depth < 64; depth++) {
    try {
      await access(join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }
  return null;
}
