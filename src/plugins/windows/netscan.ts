import type { PluginDefinition } from '../api.ts';

export const netscan: PluginDefinition = {
  name: 'windows.netscan',
  description:
    "Scans physical memory for tcpip.sys's network objects: TCP listeners and endpoints and UDP endpoints (pool tags TcpL, TcpE, UdpA), " +
    'closed and orphaned ones included, with their owning process.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'Proto', type: 'str' },
    { name: 'LocalAddr', type: 'str' },
    { name: 'LocalPort', type: 'int' },
    { name: 'ForeignAddr', type: 'str' },
    { name: 'ForeignPort', type: 'int' },
    { name: 'State', type: 'str' },
    { name: 'PID', type: 'int' },
    { name: 'Owner', type: 'str' },
    { name: 'Created', type: 'datetime' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const e of kernel.scanNetworkEndpoints()) {
      yield {
        depth: 0,
        values: [e.offset, e.protocol, e.localAddress, e.localPort, e.foreignAddress, e.foreignPort, e.state, e.pid, e.owner, e.createTime],
      };
    }
  },
};
