import type { PluginDefinition } from '../api.ts';
import { CODE_OWNER_COLUMNS, codeOwnerCells } from './code-owner-cells.ts';

export const checkIdt: PluginDefinition = {
  name: 'linux.check_idt',
  description:
    'Lists the handlers of the interrupt descriptor table’s CPU exceptions and int 0x80 with the module and symbol they ' +
    'point to: a handler outside the kernel (UNKNOWN) or in a module is a hooked interrupt.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [{ name: 'Index', type: 'hex' }, ...CODE_OWNER_COLUMNS],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const gate of linux.interruptGates()) {
      ctx.signal?.throwIfAborted();
      yield { depth: 0, values: [gate.index, ...(await codeOwnerCells(linux, gate.address))] };
    }
  },
};
