import type { Cell, Column, LinuxTask } from '../api.ts';

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

export function taskRowValues(task: LinuxTask): Cell[] {
  return [
    task.address,
    task.pid,
    task.tid,
    task.ppid,
    task.comm,
    task.uid,
    task.gid,
    task.euid,
    task.egid,
    task.state,
    task.kernelThread,
    task.createTime,
  ];
}
