import type { PluginDefinition } from '../api.ts';

export const checkSyscall: PluginDefinition = {
  name: 'linux.check_syscall',
  description:
    'Lists every entry of the system call tables (64-bit and the 32-bit emulation’s) with the kernel symbol it points to: ' +
    'UNKNOWN marks a handler that is no kernel function’s start — a hooked system call.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Table Address', type: 'hex', address: 'kernel' },
    { name: 'Table Name', type: 'str' },
    { name: 'Index', type: 'int' },
    { name: 'Handler Address', type: 'hex', address: 'kernel' },
    { name: 'Handler Symbol', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const e of linux.syscallTables()) {
      ctx.signal?.throwIfAborted();
      if (e.handler === 0n) continue;
      const owner = await linux.codeOwner(e.handler);
      yield { depth: 0, values: [e.tableAddress, e.table, e.index, e.handler, owner.symbol ?? 'UNKNOWN'] };
    }
  },
};
