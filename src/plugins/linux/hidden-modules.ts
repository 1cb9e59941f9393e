import type { PluginDefinition } from '../api.ts';

export const hiddenModules: PluginDefinition = {
  name: 'linux.hidden_modules',
  description: 'Carves the module area for kernel module structures the module list does not hold: modules unlinked to hide them.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Address', type: 'hex', address: 'kernel' },
    { name: 'Name', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const listed = new Set<bigint>();
    for await (const m of linux.modules()) listed.add(m.address);
    for await (const m of linux.scanModules()) {
      if (!listed.has(m.address)) yield { depth: 0, values: [m.address, m.name] };
    }
  },
};
