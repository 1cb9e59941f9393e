import { describeFile } from '../../os/linux/file-info.ts';
import { openFiles } from '../../os/linux/fd-table.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const lsof: PluginDefinition = {
  name: 'linux.lsof',
  description: 'Lists open files for each process (path as /proc/<pid>/fd shows it).',
  os: 'linux',
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
    const kernel = await ctx.linux();
    for await (const task of listedTasks(ctx, kernel)) {
      for await (const { fd, file } of openFiles(kernel, task, (m) => ctx.warn(m))) {
        const info = await describeFile(kernel, file, (m) => ctx.warn(`PID ${task.pid} fd ${fd}: ${m}`));
        if (!info) {
          ctx.warn(`PID ${task.pid} (${task.comm}) fd ${fd}: file object not readable`);
          continue;
        }
        yield { depth: 0, values: [task.pid, task.tid, task.comm, fd, info.path, info.device, info.inode, info.type, info.mode, info.size] };
      }
    }
  },
};
