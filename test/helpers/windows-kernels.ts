/**
 * The Windows kernels the generator and the analyzer are tested on, with what their builds are known to be
 * (from the test data's symbols/README.md). The 19041 ISF is in the repository (the sample's kernel); the others
 * come from the external test data, so their tests skip when it is missing.
 * Imports nothing from src/, so the generator's self-check can use it too.
 */
import { join } from 'node:path';
import { DEFAULT_ISF_PATH, REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { needTestData } from './need-test-data.ts';
import { testDataPath } from './test-data.ts';

/** The real Windows ISF packs of the test data (Volatility layout). */
export const SHARED_SYMBOLS = testDataPath('symbols');

export interface WindowsKernel {
  readonly name: string;
  readonly isfPath: string;
  /** The Volatility symbol directory holding isfPath. */
  readonly symbolDir: string;
  /** node:test `skip` value: false when the ISF is here. */
  readonly skip: string | false;
  readonly guid: string;
  readonly age: number;
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  /** How the analyzer's summary names the OS. */
  readonly osVersion: string;
}

function kernel(name: string, guid: string, build: number, osVersion: string): WindowsKernel {
  const file = join('windows', 'ntkrnlmp.pdb', `${guid}-1.json.xz`);
  const inRepo = join(REPO_SYMBOLS, file) === DEFAULT_ISF_PATH;
  const symbolDir = inRepo ? REPO_SYMBOLS : SHARED_SYMBOLS;
  const skip = inRepo ? false : needTestData(join('symbols', file));
  return { name, isfPath: join(symbolDir, file), symbolDir, skip, guid, age: 1, major: 10, minor: 0, build, osVersion };
}

export const WINDOWS_KERNELS: readonly WindowsKernel[] = [
  kernel('Windows 10 19041', '606FF669409B00F7FC8C61A9C1670129', 19041, 'Windows 10 2004–22H2 (10.0.19041)'),
  kernel('Windows 11 22000', '0CE4A95C0CD782A7596B034D8648E585', 22000, 'Windows 11 21H2 (10.0.22000)'),
  kernel('Windows 10 17763', '2EA98876FE209B61954090E803113013', 17763, 'Windows 10 1809 (10.0.17763)'),
];
