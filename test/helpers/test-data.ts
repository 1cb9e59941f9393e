/**
 * The one way tests find the external test data (real Linux captures with the truth printed inside the guest,
 * Windows symbol packs, AFF4 reference images, PDBs): $MEMSCOPE_TEST_DATA, else `../shared` beside the
 * repository. Nothing of it is in the repository; tests that need a part of it that is missing are skipped
 * with a reason starting with MISSING_DATA, and test/helpers/test-data-reporter.mjs sums them up in one line
 * at the end of the run. With CI=true a missing part is a failure instead, so coverage cannot vanish silently.
 * Imports nothing from src/ and runs in the browser test server too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEST_DATA_ENV = 'MEMSCOPE_TEST_DATA';
export const TEST_DATA_DIR = resolve(REPO_ROOT, process.env[TEST_DATA_ENV] || '../shared');

/** Every skip reason for missing data or tools starts with this (the reporter counts them). */
export const MISSING_DATA = 'test data missing:';

/** True when missing data must fail the run (CI sets CI=true). */
export const dataRequired = (): boolean => process.env['CI'] === 'true';

export function testDataPath(...parts: string[]): string {
  return join(TEST_DATA_DIR, ...parts);
}

/**
 * Why `parts` of the test data (a file or folder, e.g. "fixtures/aff4") cannot be used here, or undefined.
 * `tools` are commands the tests run on it (e.g. "xz"), which must be installed.
 */
export function testDataMissing(part: string, tools: readonly string[] = []): string | undefined {
  if (!existsSync(testDataPath(part))) return `${MISSING_DATA} ${part} (looked in ${TEST_DATA_DIR})`;
  const tool = tools.find((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
  if (tool) return `${MISSING_DATA} the ${tool} command is not installed (needed to read ${part})`;
  return undefined;
}

/** How to provide the data: printed after the count of skipped tests. */
export const PROVIDE_DATA = `put the memscope test data folder beside the repository as ../shared, or set ${TEST_DATA_ENV} to it; CI=true turns missing data into a failure`;
