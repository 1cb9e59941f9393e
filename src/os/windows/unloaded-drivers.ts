import { hex } from '../../io/hex.ts';
import type { UnloadedDriver } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { filetimeToIso } from './filetime.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { UnloadedDriver };

/**
 * x64 _UNLOADED_DRIVERS (no public symbol file has the type; Volatility 3 keeps this layout by hand): Name
 * (_UNICODE_STRING), StartAddress, EndAddress, CurrentTime (FILETIME of the unload).
 */
const ENTRY_SIZE = 40;
const NAME = 0;
const START = 16;
const END = 24;
const TIME = 32;
const UNICODE_STRING_SIZE = 16;
/** MI_UNLOADED_DRIVERS: the kernel's array holds this many; the oldest entry is dropped beyond. */
const SLOTS = 50;

/**
 * The kernel's record of unloaded drivers: nt!MmUnloadedDrivers (a pointer to the array) and nt!MmLastUnloadedDriver
 * (a ULONG: the entries in use), oldest first, as Volatility 3's windows.unloadedmodules lists them. A count beyond
 * the array's 50 slots is capped with a warning; an unreadable array is one warning and no rows.
 */
export async function unloadedDrivers(kernel: WindowsKernel, warn: Warn): Promise<UnloadedDriver[]> {
  const pointer = kernel.symbolAddress('MmUnloadedDrivers');
  const array = await kernel.vm.readU64(pointer);
  const stored = await kernel.vm.readU32(kernel.symbolAddress('MmLastUnloadedDriver'));
  if (array === null || stored === null) {
    warn({
      code: 'UNREADABLE',
      message: 'MmUnloadedDrivers or MmLastUnloadedDriver not readable: no unloaded modules listed',
      address: hex(pointer),
    });
    return [];
  }
  if (array === 0n || stored === 0) return [];
  if (stored > SLOTS) {
    warn({ code: 'SMEAR', message: `MmLastUnloadedDriver is ${stored}, beyond the ${SLOTS} slots of MmUnloadedDrivers: only ${SLOTS} read` });
  }
  const count = Math.min(stored, SLOTS);
  const bytes = await kernel.vm.read(array, count * ENTRY_SIZE);
  if (bytes === null) {
    warn({
      code: 'UNREADABLE',
      message: `MmUnloadedDrivers' array (${count} entries) not readable: no unloaded modules listed`,
      address: hex(array),
    });
    return [];
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: UnloadedDriver[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * ENTRY_SIZE;
    out.push({
      name: await readUnicodeString(kernel.vm, bytes.subarray(at + NAME, at + NAME + UNICODE_STRING_SIZE)),
      start: dv.getBigUint64(at + START, true),
      end: dv.getBigUint64(at + END, true),
      time: filetimeToIso(dv.getBigUint64(at + TIME, true)),
    });
  }
  return out;
}
