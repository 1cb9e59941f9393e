// Node-only test helper: the real Linux 6.1 image in the test data (fixtures/linux-6.1-a), decompressed once
// into <project>/.cache/fixtures/linux-6.1-a/ (git-ignored) with `xz -dc`.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needTestData } from './need-test-data.ts';
import { testDataMissing, testDataPath } from './test-data.ts';

const LINUX_FIXTURE = 'fixtures/linux-6.1-a';
export const LINUX_FIXTURE_DIR = testDataPath(LINUX_FIXTURE);
const CACHE_DIR = fileURLToPath(new URL('../../.cache/fixtures/linux-6.1-a/', import.meta.url));

/** The parts of truth.json the format and OS tests use. Hex values are strings ("0x1180"). */
export interface LinuxTruth {
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly size: number }>>;
  readonly elf_program_headers: readonly { type: string; offset: string; paddr: string; filesz: number; memsz: number }[];
  readonly physical_ranges: readonly { start: string; end: string }[];
  readonly vmcoreinfo: {
    readonly text: string;
    readonly fields: Readonly<Record<string, string>>;
    readonly note_at_sysfs_phys: { readonly name: string; readonly descsz: number; readonly text_phys_offset: string };
  };
  readonly cr3: string;
  readonly [key: string]: unknown;
}

/** Why the fixture cannot be used here, or undefined when it can (for the browser test server). */
export const linuxFixtureMissing = (): string | undefined => testDataMissing(`${LINUX_FIXTURE}/truth.json`, ['xz']);

/** node:test `skip` for tests of the fixture (a failure with CI=true when it is missing). */
export const linuxFixtureSkipReason = (): string | false => needTestData(`${LINUX_FIXTURE}/truth.json`, ['xz']);

let truth: LinuxTruth | undefined;
export function linuxTruth(): LinuxTruth {
  truth ??= JSON.parse(readFileSync(join(LINUX_FIXTURE_DIR, 'truth.json'), 'utf8')) as LinuxTruth;
  return truth;
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

async function decompress(from: string, to: string): Promise<void> {
  const partial = `${to}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  const xz = spawn('xz', ['-dc', from], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  xz.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  xz.stdout.pipe(out);
  const [code] = await Promise.all([
    new Promise<number | null>((resolve, reject) => xz.on('error', reject).on('close', resolve)),
    new Promise<void>((resolve, reject) => out.on('error', reject).on('finish', resolve)),
  ]);
  if (code !== 0) {
    await rm(partial, { force: true });
    throw new Error(`xz -dc ${from} failed (${code}): ${stderr}`);
  }
  // Renaming last means a reader never sees a half-written file.
  await rename(partial, to);
}

const pending = new Map<string, Promise<string>>();

/**
 * Path of the decompressed fixture file `name` (e.g. "linux-a.elf"), decompressing `name.xz` unless a
 * copy of the size truth.json gives is already cached.
 */
export function linuxFixtureFile(name: string): Promise<string> {
  let result = pending.get(name);
  if (!result) {
    result = (async () => {
      const expected = linuxTruth().files[name]?.size;
      if (expected === undefined) throw new Error(`truth.json lists no file ${name}`);
      const path = join(CACHE_DIR, name);
      if ((await sizeOf(path)) === expected) return path;
      await mkdir(CACHE_DIR, { recursive: true });
      await decompress(join(LINUX_FIXTURE_DIR, `${name}.xz`), path);
      const size = await sizeOf(path);
      if (size !== expected) throw new Error(`${path}: decompressed to ${size} bytes, truth.json says ${expected}`);
      return path;
    })();
    pending.set(name, result);
  }
  return result;
}
