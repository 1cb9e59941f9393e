import { networkPlugin } from './network-plugin.ts';

export const netscan = networkPlugin(
  'windows.netscan',
  "Scans physical memory for tcpip.sys's network objects: TCP listeners and endpoints and UDP endpoints (pool tags TcpL, TcpE, UdpA), " +
    'closed and orphaned ones included, with their owning process.',
  (kernel) => kernel.scanNetworkEndpoints(),
);
