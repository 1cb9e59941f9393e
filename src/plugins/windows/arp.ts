import type { PluginDefinition } from '../api.ts';

export const arp: PluginDefinition = {
  name: 'windows.arp',
  description:
    "Lists tcpip.sys's neighbour cache: ARP (IPv4) and Neighbor Discovery (IPv6) entries with MAC, interface and state, " +
    'found by a pool scan in a working layout not yet confirmed on real captures (see arp.md beside the plugin).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Family', type: 'str' },
    { name: 'IP Address', type: 'str' },
    { name: 'MAC Address', type: 'str' },
    { name: 'Interface', type: 'int' },
    { name: 'State', type: 'str' },
    { name: 'Router', type: 'bool' },
    { name: 'Offset', type: 'hex', address: 'kernel' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const n of kernel.scanNeighbours()) {
      yield { depth: 0, values: [n.family, n.ip, n.mac, n.interfaceIndex, n.state, n.router, n.offset] };
    }
  },
};
