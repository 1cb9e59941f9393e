import type { PluginDefinition } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const envars: PluginDefinition = {
  name: 'linux.envars',
  description: 'Lists processes with their environment variables (read from process memory).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'COMM', type: 'str' },
    { name: 'KEY', type: 'str' },
    { name: 'VALUE', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      if (task.kernelThread) continue;
      const env = await linux.environment(task);
      if (env === null) {
        ctx.warn({
          code: 'UNREADABLE',
          message: `PID ${task.pid} (${task.comm}): environment not readable (paged out or freed)`,
          address: `0x${task.address.toString(16)}`,
        });
        continue;
      }
      for (const [key, value] of env) yield { depth: 0, values: [task.pid, task.ppid, task.comm, key, value] };
    }
  },
};
