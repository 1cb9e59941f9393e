import type { Cell, Column, OptionSpec, PluginContext, PluginOptions, WindowsKernelContext, WindowsProcess } from '../api.ts';
import { PID_OPTION, wantedPid } from '../common/pid-filter.ts';

/** Options, columns and the process walk the process plugins share (as in Volatility 3). */
export const PROCESS_OPTIONS: readonly OptionSpec[] = [
  PID_OPTION,
  { name: 'physical', type: 'bool', description: 'Display physical offsets instead of virtual', default: false },
];

export function processColumns(options: PluginOptions): Column[] {
  return [
    { name: 'PID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'ImageFileName', type: 'str' },
    options['physical'] ? { name: 'Offset(P)', type: 'hex', address: 'physical' } : { name: 'Offset(V)', type: 'hex', address: 'kernel' },
    { name: 'Threads', type: 'int' },
    { name: 'Handles', type: 'int' },
    { name: 'SessionId', type: 'int' },
    { name: 'Wow64', type: 'bool' },
    { name: 'CreateTime', type: 'datetime' },
    { name: 'ExitTime', type: 'datetime' },
    { name: 'File output', type: 'str' },
  ];
}

/** The active process list as the list plugins walk it: --pid applied. */
export async function* listedProcesses(ctx: PluginContext, kernel: WindowsKernelContext): AsyncGenerator<WindowsProcess> {
  const wanted = wantedPid(ctx);
  for await (const p of kernel.processes()) if (wanted(p)) yield p;
}

/** A process's row; `fileOutput`: its File output cell ('Disabled' without --dump, as Volatility). */
export async function processRowValues(kernel: WindowsKernelContext, p: WindowsProcess, physical: boolean, fileOutput = 'Disabled'): Promise<Cell[]> {
  const offset = physical ? (p.physical === null ? null : BigInt(p.physical)) : p.offset;
  return [
    p.pid,
    p.ppid,
    p.name,
    offset,
    p.threads,
    await kernel.handleCount(p),
    await kernel.sessionId(p),
    p.wow64,
    p.createTime,
    p.exitTime,
    fileOutput,
  ];
}
