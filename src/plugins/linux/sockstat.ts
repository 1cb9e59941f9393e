import { isMemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import { openFiles } from '../../os/linux/fd-table.ts';
import { SocketReader } from '../../os/linux/sockets.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import type { Warn } from '../plugin.ts';
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
    const kernel = await ctx.linux();
    const sockets = new SocketReader(kernel);
    const netns = ctx.options['netns'] === undefined || ctx.options['netns'] === '' ? null : Number(ctx.options['netns']);
    for await (const task of listedTasks(ctx, kernel)) {
      for await (const { fd, file } of openFiles(kernel, task, (m) => ctx.warn(m))) {
        ctx.signal?.throwIfAborted();
        const warn: Warn = (w) => ctx.warn({ ...w, message: `PID ${task.pid} (${task.comm}) fd ${fd}: ${w.message}` });
        try {
          const socket = await sockets.socketOf(file, warn);
          const s = socket === null ? null : await sockets.describe(socket, warn);
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
        } catch (e) {
          // A socket whose structures do not decode costs its row, not the run.
          if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
          warn({ code: 'UNSUPPORTED', message: `socket not decoded: ${e.message}`, address: hex(file) });
        }
      }
    }
  },
};
