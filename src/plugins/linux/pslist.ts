import { bootTimeNs } from '../../os/linux/boot-time.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { TASK_COLUMNS, taskRowValues } from './task-columns.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const pslist: PluginDefinition = {
  name: 'linux.pslist',
  description: 'Lists the processes present in a particular linux memory image.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: TASK_COLUMNS,
  options: TASK_OPTIONS,
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.linux();
    const boot = await bootTimeNs(kernel);
    for await (const task of listedTasks(ctx, kernel)) yield { depth: 0, values: taskRowValues(task, boot) };
  },
};
