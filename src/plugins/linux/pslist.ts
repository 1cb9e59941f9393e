import type { PluginDefinition } from '../api.ts';
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
    for await (const task of listedTasks(ctx, await ctx.linux())) yield { depth: 0, values: taskRowValues(task) };
  },
};
