import type { LinuxKernel } from '../../os/linux/linux-kernel.ts';
import { listTasks, type LinuxTask } from '../../os/linux/task.ts';
import { PID_OPTION, wantedPid } from '../pid-filter.ts';
import type { PluginContext } from '../plugin-definition.ts';
import type { OptionSpec } from '../plugin.ts';

export const TASK_OPTIONS: readonly OptionSpec[] = [
  PID_OPTION,
  { name: 'threads', type: 'bool', description: 'Include user threads', default: false },
];

/** The task list as the process plugins walk it: --pid (a thread group id) and --threads applied, cancellable. */
export async function* listedTasks(ctx: PluginContext, kernel: LinuxKernel): AsyncGenerator<LinuxTask> {
  const wanted = wantedPid<LinuxTask>(ctx);
  for await (const task of listTasks(kernel, (m) => ctx.warn(m), ctx.options['threads'] === true)) {
    ctx.signal?.throwIfAborted();
    if (wanted(task)) yield task;
  }
}

/** Kernel threads shown as [name], as ps and Volatility's decorate_comm do. */
export function displayName(task: LinuxTask): string {
  return task.kernelThread ? `[${task.comm}]` : task.comm;
}
