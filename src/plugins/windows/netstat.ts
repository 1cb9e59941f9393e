import { networkPlugin } from './network-plugin.ts';

export const netstat = networkPlugin(
  'windows.netstat',
  "Walks tcpip.sys's own tables from its globals (needs tcpip.pdb's symbols): the established TCP endpoints of its partition hash " +
    'tables, the TCP listeners and UDP endpoints of its port pools. What a pool scan (windows.netscan) misses shows here, and the reverse.',
  (kernel) => kernel.tcpipEndpoints(),
);
