import type { PluginDefinition } from '../api.ts';

export const psscan: PluginDefinition = {
  name: 'linux.psscan',
  description:
    'Scans physical memory for task_structs (by their scheduling class): processes and threads on the task list, ' +
    'unlinked ones (hidden by a rootkit) and exited ones whose memory is not yet reused.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'OFFSET (P)', type: 'hex', address: 'physical' },
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'COMM', type: 'str' },
    { name: 'EXIT_STATE', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const t of linux.scanTasks()) {
      ctx.signal?.throwIfAborted();
      yield { depth: 0, values: [t.physical, t.pid, t.tid, t.ppid, t.comm, t.exitState] };
    }
  },
};
