/**
 * The Windows kernels whose ISFs sit in the shared symbol store, with what their builds are known to be
 * (from /work/shared/symbols/README.md) — the truth tests compare the generator and the analyzer against.
 * Imports nothing from src/, so the generator's self-check can use it too.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real Windows ISF packs beside the project (Volatility layout). */
export const SHARED_SYMBOLS = fileURLToPath(new URL('../../../shared/symbols', import.meta.url));

export interface WindowsKernel {
  readonly name: string;
  readonly isfPath: string;
  readonly guid: string;
  readonly age: number;
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  /** How the analyzer's summary names the OS. */
  readonly osVersion: string;
}

function kernel(name: string, guid: string, build: number, osVersion: string): WindowsKernel {
  const isfPath = join(SHARED_SYMBOLS, 'windows', 'ntkrnlmp.pdb', `${guid}-1.json.xz`);
  return { name, isfPath, guid, age: 1, major: 10, minor: 0, build, osVersion };
}

export const WINDOWS_KERNELS: readonly WindowsKernel[] = [
  kernel('Windows 10 19041', '606FF669409B00F7FC8C61A9C1670129', 19041, 'Windows 10 (10.0.19041)'),
  kernel('Windows 11 22000', '0CE4A95C0CD782A7596B034D8648E585', 22000, 'Windows 11 (10.0.22000)'),
  kernel('Windows 10 17763', '2EA98876FE209B61954090E803113013', 17763, 'Windows 10 (10.0.17763)'),
];
