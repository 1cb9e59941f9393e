import type { PluginDefinition } from '../api.ts';

export const checkIdt: PluginDefinition = {
  name: 'linux.check_idt',
  description:
    'Lists the handlers of the interrupt descriptor table’s CPU exceptions and int 0x80 with the module and symbol they ' +
    'point to: a handler outside the kernel (UNKNOWN) or in a module is a hooked interrupt.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Index', type: 'hex' },
    { name: 'Address', type: 'hex', address: 'kernel' },
    { name: 'Module', type: 'str' },
    { name: 'Symbol', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const gate of linux.interruptGates()) {
      ctx.signal?.throwIfAborted();
      const owner = await linux.codeOwner(gate.address);
      yield { depth: 0, values: [gate.index, gate.address, owner.module ?? 'UNKNOWN', owner.symbol ?? 'N/A'] };
    }
  },
};
