/**
 * _EPROCESS.ExitTime on a build whose offsets were found by search. Nothing on the active list tells it (every
 * live process has 0 there), but the exited processes a pool scan carves do: the one offset where each exited
 * process (no threads left) holds a FILETIME not before its creation, and each live one holds 0, is ExitTime.
 */
import type { VirtualMemory } from '../../../plugins/api/memory.ts';
import { FILETIME_MAX, FILETIME_MIN, holdsInMost, sample, SPAN, type Sample } from './process-sample.ts';

/** A carved process as the search needs it. */
export interface CarvedProcess {
  /** Its kernel virtual address. */
  readonly address: bigint;
  readonly createTimeOffset: number;
  readonly threads: number;
}

export type ExitTimeSearch =
  { readonly offset: number; readonly read: (p: CarvedProcess) => bigint | null } | { readonly offset: null; readonly why: string };

export async function findExitTime(vm: VirtualMemory, processes: readonly CarvedProcess[]): Promise<ExitTimeSearch> {
  const samples = new Map<CarvedProcess, Sample>();
  for (const p of processes) {
    const s = await sample(vm, p.address);
    if (s) samples.set(p, s);
  }
  const u64 = (p: CarvedProcess, o: number) => samples.get(p)!.bytes.getBigUint64(o, true);
  const read = [...samples.keys()];
  const exited = read.filter((p) => p.threads === 0 && u64(p, p.createTimeOffset) > FILETIME_MIN);
  const live = read.filter((p) => p.threads > 0);
  if (exited.length === 0) return { offset: null, why: 'the scan found no exited process to tell it from' };
  const fits: number[] = [];
  for (let o = 0; o + 8 <= SPAN; o += 8) {
    if (exited.some((p) => o === p.createTimeOffset)) continue;
    const exitedFit = holdsInMost(exited, (p) => {
      const t = u64(p, o);
      return t >= u64(p, p.createTimeOffset) && t < FILETIME_MAX;
    });
    if (exitedFit && holdsInMost(live, (p) => u64(p, o) === 0n)) fits.push(o);
  }
  if (fits.length !== 1) {
    const what = `the ${exited.length} exited process${exited.length === 1 ? '' : 'es'} the scan found`;
    return { offset: null, why: `${fits.length === 0 ? 'no offset fits' : `${fits.length} offsets fit`} ${what}` };
  }
  const offset = fits[0]!;
  return { offset, read: (p) => (samples.has(p) ? u64(p, offset) : null) };
}
