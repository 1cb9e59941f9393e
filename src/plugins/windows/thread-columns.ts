import type { Cell, Column, WindowsThread } from '../api.ts';

/** The columns windows.threads and windows.thrdscan share (as in Volatility 3). */
export const threadColumns: readonly Column[] = [
  { name: 'Offset', type: 'hex', address: 'kernel' },
  { name: 'PID', type: 'int' },
  { name: 'TID', type: 'int' },
  { name: 'StartAddress', type: 'hex', address: 'process' },
  { name: 'CreateTime', type: 'datetime' },
  { name: 'ExitTime', type: 'datetime' },
];

export function threadRowValues(t: WindowsThread): Cell[] {
  return [t.offset, t.pid, t.tid, t.startAddress, t.createTime, t.exitTime];
}
