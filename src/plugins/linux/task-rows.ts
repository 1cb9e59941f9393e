import type { LinuxKernelContext, LinuxTask, OptionSpec, PluginContext, VirtualMemory } from '../api.ts';
import { PID_OPTION, wantedPid } from '../common/pid-filter.ts';

export const TASK_OPTIONS: readonly OptionSpec[] = [
  PID_OPTION,
  { name: 'threads', type: 'bool', description: 'Include user threads', default: false },
];

/** The task list as the process plugins walk it: --pid (a thread group id) and --threads applied (the walk is cancellable). */
export async function* listedTasks(ctx: PluginContext, linux: LinuxKernelContext): AsyncGenerator<LinuxTask> {
  const wanted = wantedPid<LinuxTask>(ctx);
  for await (const task of linux.tasks({ threads: ctx.options['threads'] === true })) if (wanted(task)) yield task;
}

/** The listed tasks with a user space, each with it: kernel threads have none (nor has a task whose mm_struct is unreadable). */
export async function* listedUserSpaces(ctx: PluginContext, linux: LinuxKernelContext): AsyncGenerator<{ task: LinuxTask; space: VirtualMemory }> {
  for await (const task of listedTasks(ctx, linux)) {
    const space = await linux.processSpace(task);
    if (space) yield { task, space };
  }
}

/** Kernel threads shown as [name], as ps and Volatility's decorate_comm do. */
export function displayName(task: LinuxTask): string {
  return task.kernelThread ? `[${task.comm}]` : task.comm;
}
