import type { ScanService } from '../../engine/scan-service.ts';
import type { ScannedTask } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { cString } from '../c-string.ts';
import { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { symbolsByAddress } from './symbol-index.ts';

/** include/linux/sched.h: the exit_state values a task_struct can hold. */
const EXIT_STATES: ReadonlyMap<number, string> = new Map([
  [0x00, 'TASK_RUNNING'],
  [0x10, 'EXIT_DEAD'],
  [0x20, 'EXIT_ZOMBIE'],
  [0x30, 'EXIT_TRACE'],
]);
/** PID_MAX_DEFAULT's range as Volatility 3's psscan bounds a carved task's pid. */
const MAX_PID = 65535;

export interface TaskScanControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

/**
 * task_structs carved from physical memory: every 8-byte-aligned place holding the address of one of the kernel's
 * scheduling classes (fair, rt, dl, stop, idle) at task_struct.sched_class is a candidate, kept when its exit_state
 * is one the kernel sets and its pid is in range. Finds tasks unlinked from the task list and exited ones whose
 * memory is not yet reused. The scan looks for the classes' low 32 bits (one Wasm pass) and checks all 64.
 */
export async function* scanTasks(kernel: LinuxKernel, scanner: ScanService, warn: Warn, control: TaskScanControl = {}): AsyncGenerator<ScannedTask> {
  const classes = new Set(symbolsByAddress(kernel).flatMap((s) => (s.name.includes('_sched_class') ? [s.address] : [])));
  if (classes.size === 0) {
    warn({ code: 'NOT_FOUND', message: 'no scheduling class (fair_sched_class, ...) in the kernel symbols: tasks cannot be scanned for' });
    return;
  }
  const layout = kernel.layout;
  const classOffset = layout.offset('task_struct', 'sched_class');
  const size = layout.size('task_struct');
  const tgidOffset = BigInt(layout.offset('task_struct', 'tgid'));
  const low32 = [...new Set([...classes].map((a) => Number(a & 0xffffffffn)))].map((v) => {
    const tag = new Uint8Array(4);
    new DataView(tag.buffer).setUint32(0, v, true);
    return tag;
  });
  const spec = { kind: 'tags', tags: low32, alignment: 8, offset: classOffset % 8 } as const;
  const onProgress = control.onProgress && ((done: number, total: number) => control.onProgress!(done, total, 'scanning physical memory for tasks'));
  for await (const hit of scanner.scan(kernel.phys, spec, { signal: control.signal, onProgress })) {
    const address = hit.address - classOffset;
    if (address < 0 || address + size > kernel.phys.size) continue;
    const view = new StructView(layout, 'task_struct', await kernel.phys.read(address, size), BigInt(address));
    if (!classes.has(view.u64('sched_class'))) continue;
    const exitState = EXIT_STATES.get(view.has('exit_state') ? view.u32('exit_state') : 0);
    const tid = view.u32('pid');
    if (exitState === undefined || tid <= 0 || tid >= MAX_PID) continue;
    const parent = view.u64('parent');
    const ppid = parent === 0n ? null : await kernel.vm.readU32(parent + tgidOffset);
    yield { physical: address, pid: view.u32('tgid'), tid, ppid: ppid ?? 0, comm: cString(view.raw('comm')), exitState };
  }
}
