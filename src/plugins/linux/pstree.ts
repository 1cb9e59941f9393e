import type { LinuxTask, PluginDefinition } from '../api.ts';
import { wantedPid } from '../common/pid-filter.ts';
import { treeOrder } from '../common/process-tree-order.ts';
import { TASK_COLUMNS, taskRowValues } from './task-columns.ts';
import { TASK_OPTIONS } from './task-rows.ts';

export const pstree: PluginDefinition = {
  name: 'linux.pstree',
  description: 'Plugin for listing processes in a tree based on their parent process ID.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: TASK_COLUMNS,
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: true,
  async *run(ctx) {
    const linux = await ctx.linux();
    const tasks: LinuxTask[] = [];
    for await (const task of linux.tasks()) tasks.push(task);
    for (const { process, depth } of treeOrder(tasks, wantedPid<LinuxTask>(ctx), ctx.signal)) yield { depth, values: taskRowValues(process) };
  },
};
