import type { RegistryHive, RegistryKey, WindowsKernelContext } from '../api.ts';

/**
 * The keys from a hive's root to `key` (a path below the root, "Microsoft\Windows\CurrentVersion\Run", matched
 * case-insensitively as Windows does; the root alone when undefined); null when the root or a key on the way is missing.
 */
export async function findKey(kernel: WindowsKernelContext, hive: RegistryHive, key: string | undefined): Promise<RegistryKey[] | null> {
  const root = await kernel.registryRoot(hive);
  if (!root) return null;
  const path = [root];
  for (const part of key === undefined ? [] : key.replace(/\\$/, '').split('\\')) {
    const next = (await kernel.registrySubkeys(path.at(-1)!)).find((k) => k.name.toLowerCase() === part.toLowerCase());
    if (!next) return null;
    path.push(next);
  }
  return path;
}

/** Volatility 3's hive offset option: a kernel address as it prints them (48 bits) gets its sign extension back. */
export function hiveOffset(value: number): bigint {
  const address = BigInt(value);
  return address & (1n << 47n) ? address | 0xffff_0000_0000_0000n : address;
}

/** The hives to read: every listed one, or the one at `offset` (a warning when there is none). */
export async function* selectedHives(
  kernel: WindowsKernelContext,
  offset: number | undefined,
  warn: (message: string) => void,
): AsyncIterable<RegistryHive> {
  if (offset === undefined) {
    yield* kernel.hives();
    return;
  }
  const hive = await kernel.hiveAt(hiveOffset(offset));
  if (hive) yield hive;
  else warn(`no registry hive at 0x${hiveOffset(offset).toString(16)}`);
}
