import type { PluginDefinition } from '../api.ts';

export const unloadedmodules: PluginDefinition = {
  name: 'windows.unloadedmodules',
  description: 'Lists the unloaded kernel modules the kernel remembers (MmUnloadedDrivers): name, image range and when.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Name', type: 'str' },
    { name: 'StartAddress', type: 'hex' },
    { name: 'EndAddress', type: 'hex' },
    { name: 'Time', type: 'datetime' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for (const m of await kernel.unloadedDrivers()) yield { depth: 0, values: [m.name, m.start, m.end, m.time] };
  },
};
