import type { PluginDefinition } from '../api.ts';

export const pidhashtable: PluginDefinition = {
  name: 'linux.pidhashtable',
  description:
    'Lists the tasks the kernel finds by PID (init_pid_ns\u2019s IDR): a process unlinked from the task list to hide it ' +
    'usually keeps its PID here.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'OFFSET', type: 'hex', address: 'kernel' },
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'COMM', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const t of linux.pidHashTasks()) {
      ctx.signal?.throwIfAborted();
      yield { depth: 0, values: [t.address, t.pid, t.tid, t.ppid, t.comm] };
    }
  },
};
