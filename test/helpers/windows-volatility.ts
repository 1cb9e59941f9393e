/**
 * Volatility 3 run on the generated image of each Windows kernel whose ISF is here: the image and its trimmed symbol
 * pack written to a temporary folder, then each plugin's JSON rows beside the generator's expected results.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import type { WindowsImageOptions } from '../fixtures/windows/generate.ts';
import { writeSymbolPack } from '../fixtures/windows/symbol-pack.ts';
import { dataRequired } from './test-data.ts';
import { extractVolatility, PYTHON, volatilitySkipReason } from './volatility.ts';
import { WINDOWS_KERNELS } from './windows-kernels.ts';
import { windowsImage } from './windows-session.ts';

/** Volatility's kernel layer gives addresses without their sign-extension bits. */
export const ADDRESS_BITS = 0xffff_ffff_ffffn;

export interface VolatilityOnImage {
  readonly expected: ExpectedWindowsImage;
  /** Plugin name (with its arguments, space separated, when given some) → its rows as Volatility's JSON renderer gives them. */
  readonly rows: ReadonlyMap<string, Record<string, unknown>[]>;
}

/**
 * Kernel name → what Volatility's `plugins` read from that kernel's generated image (built with `options`). A plugin
 * is its name, or its name and arguments (['windows.registry.printkey', '--key', 'Run']).
 */
export async function volatilityOnGeneratedImages(
  options: Pick<WindowsImageOptions, 'size' | 'seed'>,
  plugins: readonly (string | readonly [string, ...string[]])[],
): Promise<Map<string, VolatilityOnImage>> {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vol-'));
  const volatility = extractVolatility(dir);
  const results = new Map<string, VolatilityOnImage>();
  for (const kernel of WINDOWS_KERNELS.filter((k) => !k.skip)) {
    const { image: bytes, expected, symbols, tcpipSymbols } = await windowsImage({ ...options, isfPath: kernel.isfPath });
    const out = join(dir, String(kernel.build));
    writeSymbolPack(out, symbols);
    if (tcpipSymbols) writeSymbolPack(out, tcpipSymbols);
    writeFileSync(join(out, 'image.raw'), bytes);
    const rows = new Map<string, Record<string, unknown>[]>();
    for (const plugin of plugins) {
      const [name, ...args] = typeof plugin === 'string' ? [plugin] : plugin;
      rows.set([name, ...args].join(' '), (await volatility(join(out, 'symbols'), join(out, 'image.raw'), name, args)) as Record<string, unknown>[]);
    }
    results.set(kernel.name, { expected, rows });
  }
  return results;
}

/** A Volatility row's values in `columns` order, Offset as a bigint. */
export const volatilityValues = (row: Record<string, unknown>, columns: readonly string[]): unknown[] =>
  columns.map((c) => (c === 'Offset' ? BigInt(row[c] as number) : row[c]));

/**
 * Volatility's netscan and netstat import its verinfo plugin, which needs pefile (Debian: python3-pefile, which
 * .ci/run installs): without it their tests are skipped, but for CI=true, where they run and fail.
 */
export function netscanSkipReason(): string | false {
  const reason = volatilitySkipReason();
  if (reason || dataRequired() || spawnSync(PYTHON, ['-c', 'import pefile']).status === 0) return reason;
  return 'python3 has no pefile module (Debian: python3-pefile): Volatility 3 offers no windows.netscan or windows.netstat';
}

/**
 * Volatility's YARA plugins (yarascan, and svcscan through its vadyarascan requirement) need yara-python (Debian:
 * python3-yara, which .ci/run installs): without it their tests are skipped, but for CI=true, where they run and fail.
 */
export function volatilityYaraSkipReason(plugin: string): string | false {
  const reason = volatilitySkipReason();
  if (reason || dataRequired() || spawnSync(PYTHON, ['-c', 'import yara']).status === 0) return reason;
  return `python3 has no yara module (Debian: python3-yara): Volatility 3 offers no ${plugin}`;
}
