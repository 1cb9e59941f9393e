/** The rows windows.pslist and windows.psscan should print for generated processes (Volatility 3 columns). */
import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { toVolatilityTime } from './windows-session.ts';

/** PID, PPID, ImageFileName, Offset, Threads, Handles, SessionId, Wow64, CreateTime, ExitTime, File output. */
export function processRow(p: ExpectedProcess, offset: bigint | null): unknown[] {
  return [
    p.pid,
    p.ppid,
    p.name,
    offset,
    p.threads,
    p.handles,
    p.sessionId,
    p.wow64,
    toVolatilityTime(p.createTime),
    toVolatilityTime(p.exitTime),
    'Disabled',
  ];
}

/** Rows in ascending Offset order. */
export const byOffset = (a: PluginRow, b: PluginRow): number => (BigInt(a.values[3] as bigint) < BigInt(b.values[3] as bigint) ? -1 : 1);

/** Expected processes in ascending virtual address order (how byOffset sorts psscan rows with virtual offsets). */
export function byVirtualAddress(processes: readonly ExpectedProcess[]): ExpectedProcess[] {
  return [...processes].sort((a, b) => (BigInt(a.eprocessVirtual) < BigInt(b.eprocessVirtual) ? -1 : 1));
}
