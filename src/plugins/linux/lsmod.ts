import type { PluginDefinition } from '../api.ts';

export const lsmod: PluginDefinition = {
  name: 'linux.lsmod',
  description: 'Lists loaded kernel modules with size, refcount, state, load address and users, as /proc/modules shows them.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'Name', type: 'str' },
    { name: 'Size', type: 'int' },
    { name: 'Refcount', type: 'int' },
    { name: 'State', type: 'str' },
    { name: 'Base', type: 'hex', address: 'kernel' },
    { name: 'Used by', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const m of linux.modules()) {
      ctx.signal?.throwIfAborted();
      yield { depth: 0, values: [m.address, m.name, m.size, m.refcount, m.state, m.base, m.usedBy.join(',')] };
    }
  },
};
