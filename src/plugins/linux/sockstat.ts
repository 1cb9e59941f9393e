import type { PluginDefinition } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

export const sockstat: PluginDefinition = {
  name: 'linux.sockstat',
  description: 'Lists all network connections for all processes (TCP, UDP, UNIX, netlink, packet sockets).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'NetNS', type: 'int' },
    { name: 'Process Name', type: 'str' },
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'FD', type: 'int' },
    { name: 'Sock Offset', type: 'hex', address: 'kernel' },
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
  options: [
    ...TASK_OPTIONS.filter((o) => o.name === 'pid'),
    { name: 'netns', type: 'int', description: 'Only sockets of this network namespace (inode number)' },
  ],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const netns = ctx.options['netns'] === undefined || ctx.options['netns'] === '' ? null : Number(ctx.options['netns']);
    for await (const task of listedTasks(ctx, linux)) {
      for await (const { fd, file } of linux.openFiles(task)) {
        ctx.signal?.throwIfAborted();
        // A socket that does not decode costs its row (with a warning), not the run.
        const s = await linux.socket(file, `PID ${task.pid} (${task.comm}) fd ${fd}`);
        if (!s || (netns !== null && s.netns !== netns)) continue;
        yield {
          depth: 0,
          values: [
            s.netns,
            task.comm,
            task.pid,
            task.tid,
            fd,
            s.sock,
            s.family,
            s.type,
            s.protocol,
            s.source,
            s.sourcePort,
            s.destination,
            s.destinationPort,
            s.state,
            s.filter,
            s.inode,
            s.uid,
          ],
        };
      }
    }
  },
};
