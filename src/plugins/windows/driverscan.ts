import type { PluginDefinition } from '../api.ts';

export const driverscan: PluginDefinition = {
  name: 'windows.driverscan',
  description: 'Scans physical memory for driver objects (pool tag Driv): drivers whose module was unlinked or unloaded too.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'Start', type: 'hex', address: 'kernel' },
    { name: 'Size', type: 'hex' },
    { name: 'Service Key', type: 'str' },
    { name: 'Driver Name', type: 'str' },
    { name: 'Name', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const d of kernel.scanDrivers()) {
      yield { depth: 0, values: [d.offset, d.start, BigInt(d.size), d.serviceKey, d.driverName, d.name] };
    }
  },
};
