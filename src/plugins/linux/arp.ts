import type { PluginDefinition } from '../api.ts';

export const arp: PluginDefinition = {
  name: 'linux.arp',
  description: 'Lists the kernel neighbour tables: ARP (IPv4) and NDP (IPv6) entries with MAC, device and state.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Family', type: 'str' },
    { name: 'IP Address', type: 'str' },
    { name: 'MAC Address', type: 'str' },
    { name: 'Device', type: 'str' },
    { name: 'State', type: 'str' },
    { name: 'Flags', type: 'str' },
    { name: 'Offset', type: 'hex', address: 'kernel' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const n of linux.neighbours()) {
      ctx.signal?.throwIfAborted();
      yield { depth: 0, values: [n.family, n.ip, n.mac, n.device, n.state, `0x${n.flags.toString(16)}`, n.address] };
    }
  },
};
