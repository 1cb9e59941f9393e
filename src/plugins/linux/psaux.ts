import type { PluginDefinition } from '../api.ts';
import { displayName, listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const psaux: PluginDefinition = {
  name: 'linux.psaux',
  description: 'Lists processes with their command line arguments (read from process memory) and executable.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'COMM', type: 'str' },
    { name: 'ARGS', type: 'str' },
    { name: 'EXE', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      const argv = task.kernelThread ? null : await linux.argv(task);
      const args = task.kernelThread ? displayName(task) : argv === null ? null : argv.join(' ');
      yield { depth: 0, values: [task.pid, task.ppid, task.comm, args, await linux.executablePath(task)] };
    }
  },
};
