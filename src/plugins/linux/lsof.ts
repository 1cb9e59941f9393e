import type { PluginDefinition } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const lsof: PluginDefinition = {
  name: 'linux.lsof',
  description: 'Lists open files for each process (path as /proc/<pid>/fd shows it).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'FD', type: 'int' },
    { name: 'Path', type: 'str' },
    { name: 'Device', type: 'str' },
    { name: 'Inode', type: 'int' },
    { name: 'Type', type: 'str' },
    { name: 'Mode', type: 'str' },
    { name: 'Size', type: 'int' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      for await (const { fd, file } of linux.openFiles(task)) {
        const who = `PID ${task.pid} (${task.comm}) fd ${fd}`;
        const info = await linux.describeFile(file, who);
        if (!info) {
          ctx.warn({ code: 'UNREADABLE', message: `${who}: file object not readable`, address: `0x${file.toString(16)}` });
          continue;
        }
        yield { depth: 0, values: [task.pid, task.tid, task.comm, fd, info.path, info.device, info.inode, info.type, info.mode, info.size] };
      }
    }
  },
};
