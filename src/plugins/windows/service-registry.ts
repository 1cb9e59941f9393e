import type { RegistryKey, RegistryValue, WindowsKernelContext } from '../api.ts';
import { findKey } from './registry-path.ts';

/** What a service's key in the SYSTEM hive says: its ImagePath and Parameters\ServiceDll (null: not there). */
export interface ServiceKeyValues {
  readonly binary: string | null;
  readonly dll: string | null;
}

/** The services' keys of the SYSTEM hive's current control set, by name (case-insensitive, as Windows compares them). */
export interface ServiceKeys {
  /** The hive and key read, for messages: "\REGISTRY\MACHINE\SYSTEM\ControlSet001\Services". */
  readonly path: string;
  values(name: string): Promise<ServiceKeyValues>;
}

/** Volatility 3 takes the first hive whose name holds this (the SYSTEM hive's is \REGISTRY\MACHINE\SYSTEM). */
const SYSTEM_HIVE = 'machine\\system';
const NONE: ServiceKeyValues = { binary: null, dll: null };

/** A REG_SZ/REG_EXPAND_SZ value's text without its terminating NULs, as Volatility 3 decodes it. */
function text(data: Uint8Array | null): string | null {
  return data === null ? null : new TextDecoder('utf-16le').decode(data).replace(/\0+$/, '');
}

/** A key's value by name (case-insensitive, as Windows compares them); undefined when it has none. */
async function findValue(kernel: WindowsKernelContext, key: RegistryKey, name: string): Promise<RegistryValue | undefined> {
  return (await kernel.registryValues(key)).find((v) => v.name.toLowerCase() === name.toLowerCase());
}

async function textValue(kernel: WindowsKernelContext, key: RegistryKey, name: string): Promise<string | null> {
  return text((await findValue(kernel, key, name))?.data ?? null);
}

/** Select\Current names the control set in use (ControlSet00N); ControlSet001 where it cannot be read. */
async function currentControlSet(kernel: WindowsKernelContext, select: RegistryKey | undefined): Promise<string> {
  const current = select && (await findValue(kernel, select, 'Current'));
  const n = current?.type === 4 && current.data?.length === 4 ? new DataView(current.data.buffer, current.data.byteOffset).getUint32(0, true) : 1;
  return `ControlSet${String(n >= 1 && n <= 999 ? n : 1).padStart(3, '0')}`;
}

/**
 * The Services key of the first SYSTEM hive in memory that has one (the control set Select\Current names, else
 * ControlSet001 — Volatility 3 tries CurrentControlSet, a link it does not follow, then ControlSet001); null when none.
 */
export async function serviceKeys(kernel: WindowsKernelContext): Promise<ServiceKeys | null> {
  for await (const hive of kernel.hives()) {
    if (!(hive.name ?? '').toLowerCase().includes(SYSTEM_HIVE)) continue;
    const select = (await findKey(kernel, hive, 'Select'))?.at(-1);
    for (const set of new Set([await currentControlSet(kernel, select), 'ControlSet001'])) {
      const services = (await findKey(kernel, hive, `${set}\\Services`))?.at(-1);
      if (!services) continue;
      const byName = new Map((await kernel.registrySubkeys(services)).map((k) => [k.name.toLowerCase(), k]));
      return {
        path: `${hive.name}\\${set}\\Services`,
        async values(name) {
          const key = byName.get(name.toLowerCase());
          if (!key) return NONE;
          const parameters = (await kernel.registrySubkeys(key)).find((k) => k.name.toLowerCase() === 'parameters');
          return { binary: await textValue(kernel, key, 'ImagePath'), dll: parameters ? await textValue(kernel, parameters, 'ServiceDll') : null };
        },
      };
    }
  }
  return null;
}
