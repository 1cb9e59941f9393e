import { bootTimeNs } from '../../os/linux/boot-time.ts';
import { listTasks, type LinuxTask } from '../../os/linux/task.ts';
import { wantedPid } from '../pid-filter.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { treeOrder } from '../process-tree-order.ts';
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
    const kernel = await ctx.linux();
    const boot = await bootTimeNs(kernel);
    const tasks: LinuxTask[] = [];
    for await (const task of listTasks(kernel, (m) => ctx.warn(m))) tasks.push(task);
    for (const { process, depth } of treeOrder(tasks, wantedPid<LinuxTask>(ctx), ctx.signal)) {
      yield { depth, values: taskRowValues(process, boot) };
    }
  },
};
