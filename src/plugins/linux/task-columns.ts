import type { LinuxTask } from '../../os/linux/task.ts';
import { unixSecondsToIso } from '../../os/unix-time.ts';
import type { Cell, Column } from '../plugin.ts';

/** linux.pslist / linux.pstree columns: Volatility 3's, plus the credentials and state a responder checks first. */
export const TASK_COLUMNS: readonly Column[] = [
  { name: 'OFFSET (V)', type: 'hex', address: 'kernel' },
  { name: 'PID', type: 'int' },
  { name: 'TID', type: 'int' },
  { name: 'PPID', type: 'int' },
  { name: 'COMM', type: 'str' },
  { name: 'UID', type: 'int' },
  { name: 'GID', type: 'int' },
  { name: 'EUID', type: 'int' },
  { name: 'EGID', type: 'int' },
  { name: 'STATE', type: 'str' },
  { name: 'KERNEL THREAD', type: 'bool' },
  { name: 'CREATION TIME', type: 'datetime' },
];

/** `bootNs`: boot time (bootTimeNs), to turn the task's start since boot into a date; null leaves it N/A. */
export function taskRowValues(task: LinuxTask, bootNs: bigint | null): Cell[] {
  const created = bootNs === null || task.startBootNs === null ? null : unixSecondsToIso((bootNs + task.startBootNs) / 1_000_000_000n);
  return [task.address, task.pid, task.tid, task.ppid, task.comm, task.uid, task.gid, task.euid, task.egid, task.state, task.kernelThread, created];
}
