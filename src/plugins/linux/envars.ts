import { hex } from '../../io/hex.ts';
import { readEnvironment } from '../../os/linux/process-memory.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
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
    const kernel = await ctx.linux();
    for await (const task of listedTasks(ctx, kernel)) {
      if (task.kernelThread) continue;
      const env = await readEnvironment(kernel, task);
      if (env === null) {
        ctx.warn({
          code: 'UNREADABLE',
          message: `PID ${task.pid} (${task.comm}): environment not readable (paged out or freed)`,
          address: hex(task.address),
        });
        continue;
      }
      for (const [key, value] of env) yield { depth: 0, values: [task.pid, task.ppid, task.comm, key, value] };
    }
  },
};
