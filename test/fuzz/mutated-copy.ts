import { closeSync, copyFileSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ISF_PATH } from '../fixtures/windows/isf.ts';
import { prepareInputs, type FuzzFormat } from './inputs.ts';
import { mutation, runSeed } from './mutate.ts';

export type MutatedCopy =
  | {
      readonly path: string;
      readonly label: string;
      readonly patches: number;
      /** The symbol table the image's kernel needs (the generated Windows image's), where it needs one. */
      readonly symbols?: string;
    }
  | { readonly skip: string };

/**
 * A file copy of the fuzzer's input of `format` whose label includes `os` ("linux-a", "windows"), with the mutation of
 * run `run` of a campaign seeded `seed` written into it (as `npm run fuzz` makes it): for tests that open mutated
 * images the way a user would, such as the browser's.
 */
export async function writeMutatedCopy(format: FuzzFormat, os: string, seed: number, run: number, dir: string): Promise<MutatedCopy> {
  const prepared = await prepareInputs(format);
  const found = prepared.find((p) => 'input' in p && p.input.label.toLowerCase().includes(os.toLowerCase()));
  if (!found || !('input' in found)) return { skip: prepared.map((p) => ('skip' in p ? p.skip : '')).join('; ') || `no ${format} input of ${os}` };
  const { input } = found;
  const path = join(dir, `fuzz-s${seed}-r${run}-${input.path.split('/').pop()}`);
  copyFileSync(input.path, path);
  const fd = openSync(path, 'r+');
  try {
    const original = (offset: number, length: number) => {
      const bytes = new Uint8Array(length);
      return bytes.subarray(0, readSync(fd, bytes, 0, length, offset));
    };
    const patches = mutation(runSeed(seed, input.label, run), input.size, input.targets, original);
    for (const p of patches) writeSync(fd, p.bytes, 0, p.bytes.length, p.offset);
    return { path, label: input.label, patches: patches.length, ...(input.os === 'windows' && { symbols: DEFAULT_ISF_PATH }) };
  } finally {
    closeSync(fd);
  }
}
