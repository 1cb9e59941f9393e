/** The bytes of one _EPROCESS that symbol-free discovery searches, and the time range its checks accept. */
import type { VirtualMemory } from '../../../plugins/api/memory.ts';

/** Bytes of each _EPROCESS searched (every known one is smaller). */
export const SPAN = 0x1000;
/** FILETIMEs of 1999-01-01 and 2100-01-01. */
export const FILETIME_MIN = 0x01be_4a2a_4ee0_0000n;
export const FILETIME_MAX = 0x0256_1ba6_d1e2_8000n;

/** A check holds for an offset when it holds in this share of the processes: one smeared process does not hide it. */
const MOST = 0.9;

/** Whether `test` holds in MOST of `list` (vacuously for an empty one). */
export function holdsInMost<T>(list: readonly T[], test: (item: T) => boolean): boolean {
  return list.filter(test).length >= Math.ceil(list.length * MOST);
}

/** One process: its address and its first SPAN bytes (zeros past what could be read). */
export interface Sample {
  readonly address: bigint;
  readonly bytes: DataView;
}

export async function sample(vm: VirtualMemory, address: bigint): Promise<Sample | null> {
  const bytes = await vm.read(address, SPAN);
  // The tail of a process may cross into an unmapped page: the first page is enough for most fields.
  const head = bytes ?? (await vm.read(address, Number(0x1000n - (address % 0x1000n))));
  if (!head) return null;
  const full = new Uint8Array(SPAN);
  full.set(head);
  return { address, bytes: new DataView(full.buffer) };
}
