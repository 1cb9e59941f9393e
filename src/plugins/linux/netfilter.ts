import type { PluginDefinition } from '../api.ts';

export const netfilter: PluginDefinition = {
  name: 'linux.netfilter',
  description:
    'Lists the netfilter hooks of every network namespace with priority, handler and the code it belongs to: ' +
    'a handler in no loaded module and outside the kernel is hooked.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Net NS', type: 'int' },
    { name: 'Proto', type: 'str' },
    { name: 'Hook', type: 'str' },
    { name: 'Priority', type: 'int' },
    { name: 'Handler', type: 'hex', address: 'kernel' },
    { name: 'Module', type: 'str' },
    { name: 'Is Hooked', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const h of linux.netfilterHooks()) {
      ctx.signal?.throwIfAborted();
      // Volatility 3 2.11's Module: [symbol] for a kernel function, else the module (__kernel__ inside one); Is Hooked as
      // its later versions: True for a handler that neither the kernel nor a listed module holds.
      const owner = await linux.codeOwner(h.handler);
      const module = owner.symbol === null ? owner.module : `[${owner.symbol}]`;
      yield { depth: 0, values: [h.netns, h.protocol, h.hook, h.priority, h.handler, module, owner.module === null ? 'True' : 'False'] };
    }
  },
};
