import type { PluginDefinition } from '../api.ts';
import { serviceKeys } from './service-registry.ts';

export const svcscan: PluginDefinition = {
  name: 'windows.svcscan',
  description:
    "Lists the services of services.exe's service database (its 'serH' header and the service records behind it): " +
    "order, start type, state, hosting PID, name, display name and binary; beside them the SYSTEM hive's ImagePath and ServiceDll.",
  version: '1.1.0',
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
    // The SYSTEM hive's key of the service: ImagePath and Parameters\ServiceDll (N/A where the key or value is not in memory).
    { name: 'Binary (Registry)', type: 'str' },
    { name: 'Dll', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const registry = await serviceKeys(kernel);
    if (!registry)
      ctx.warn({
        code: 'UNREADABLE',
        message: "no SYSTEM hive in memory holds the services' keys: Binary (Registry) and Dll (ImagePath and ServiceDll) are N/A",
      });
    for await (const s of kernel.services()) {
      const fromRegistry = (s.name !== null && (await registry?.values(s.name))) || { binary: null, dll: null };
      yield {
        depth: 0,
        values: [s.offset, s.order, s.pid, s.start, s.state, s.type, s.name, s.display, s.binary, fromRegistry.binary, fromRegistry.dll],
      };
    }
  },
};
