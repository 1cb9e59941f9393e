import type { PluginDefinition } from '../api.ts';

export const symlinkscan: PluginDefinition = {
  name: 'windows.symlinkscan',
  description:
    "Scans physical memory for the object manager's symbolic links (pool tag Symb): drive letters, volume and device links, " +
    'deleted ones (a disconnected network drive) included.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'CreateTime', type: 'datetime' },
    { name: 'From Name', type: 'str' },
    { name: 'To Name', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const l of kernel.scanSymbolicLinks()) yield { depth: 0, values: [l.offset, l.createTime, l.name, l.target] };
  },
};
