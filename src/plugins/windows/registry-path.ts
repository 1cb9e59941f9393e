import type { RegistryHive, RegistryKey, WindowsKernelContext } from '../api.ts';

/** How far a key path leads in a hive: the keys found from the root on, and the first name not found (none: all found). */
export interface KeyLookup {
  readonly path: readonly RegistryKey[];
  readonly missing?: string;
}

/**
 * The keys from a hive's root towards `key` (a path below the root, "Microsoft\Windows\CurrentVersion\Run", matched
 * case-insensitively as Windows does; the root alone when undefined), as far as they exist: an empty path when the root
 * cannot be read.
 */
export async function lookupKey(kernel: WindowsKernelContext, hive: RegistryHive, key: string | undefined): Promise<KeyLookup> {
  const root = await kernel.registryRoot(hive);
  const parts = key === undefined ? [] : key.replace(/\\$/, '').split('\\');
  if (!root) return { path: [], missing: parts[0] ?? '' };
  const path = [root];
  for (const part of parts) {
    const next = (await kernel.registrySubkeys(path.at(-1)!)).find((k) => k.name.toLowerCase() === part.toLowerCase());
    if (!next) return { path, missing: part };
    path.push(next);
  }
  return { path };
}

/** The keys from a hive's root to `key` (see lookupKey); null when the root or a key on the way is missing. */
export async function findKey(kernel: WindowsKernelContext, hive: RegistryHive, key: string | undefined): Promise<readonly RegistryKey[] | null> {
  const found = await lookupKey(kernel, hive, key);
  return found.missing === undefined ? found.path : null;
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
