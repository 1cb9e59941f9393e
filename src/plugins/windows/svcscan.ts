import type { PluginDefinition } from '../api.ts';

export const svcscan: PluginDefinition = {
  name: 'windows.svcscan',
  description:
    "Lists the services of services.exe's service database (its 'serH' header and the service records behind it): " +
    'order, start type, state, hosting PID, name, display name and binary.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    // The record's address in services.exe's space (the PID column is the service's process, not services.exe).
    { name: 'Offset', type: 'hex' },
    { name: 'Order', type: 'int' },
    { name: 'PID', type: 'int' },
    { name: 'Start', type: 'str' },
    { name: 'State', type: 'str' },
    { name: 'Type', type: 'str' },
    { name: 'Name', type: 'str' },
    { name: 'Display', type: 'str' },
    { name: 'Binary', type: 'str' },
    // From the SYSTEM hive's Services key (ImagePath, Parameters\ServiceDll) in Volatility: memscope reads no
    // registry hives, so they are N/A (as in Volatility when it finds no SYSTEM hive).
    { name: 'Binary (Registry)', type: 'str' },
    { name: 'Dll', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    let first = true;
    for await (const s of kernel.services()) {
      if (first) {
        first = false;
        ctx.warn({
          code: 'UNSUPPORTED',
          message: "registry hives are not read: Binary (Registry) and Dll (the SYSTEM hive's ImagePath and ServiceDll) are N/A",
        });
      }
      yield { depth: 0, values: [s.offset, s.order, s.pid, s.start, s.state, s.type, s.name, s.display, s.binary, null, null] };
    }
  },
};
