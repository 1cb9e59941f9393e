import { openFiles } from '../../os/linux/open-files.ts';
import { fileSocket } from '../../os/linux/sockets.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const sockstat: PluginDefinition = {
  name: 'linux.sockstat',
  description: 'Lists all network connections for all processes (TCP, UDP, UNIX, netlink, packet sockets).',
  os: 'linux',
  columns: [
    { name: 'NetNS', type: 'int' },
    { name: 'Process Name', type: 'str' },
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'FD', type: 'int' },
    { name: 'Sock Offset', type: 'hex' },
    { name: 'Family', type: 'str' },
    { name: 'Type', type: 'str' },
    { name: 'Proto', type: 'str' },
    { name: 'Source Addr', type: 'str' },
    { name: 'Source Port', type: 'int' },
    { name: 'Destination Addr', type: 'str' },
    { name: 'Destination Port', type: 'int' },
    { name: 'State', type: 'str' },
    { name: 'Filter', type: 'str' },
    { name: 'Inode', type: 'int' },
    { name: 'UID', type: 'int' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.linux();
    for await (const task of listedTasks(ctx, kernel)) {
      if (task.kernelThread) continue;
      for await (const { fd, file } of openFiles(kernel, task, (m) => ctx.warn(m))) {
        const s = await fileSocket(kernel, file);
        if (!s) continue;
        yield {
          depth: 0,
          values: [s.netns, task.comm, task.pid, task.tid, fd, s.sock, s.family, s.type, s.protocol, s.source, s.sourcePort, s.destination, s.destinationPort, s.state, s.filter, s.inode, s.uid],
        };
      }
    }
  },
};
