import type { NetworkEndpoint, PluginDefinition, WindowsKernelContext } from '../api.ts';
import { kernelItemsPlugin } from './kernel-items-plugin.ts';

/**
 * A plugin that lists tcpip.sys's endpoints from one source (windows.netscan: the pool scan; windows.netstat: tcpip's
 * own tables), with Volatility 3's columns for both.
 */
export function networkPlugin(
  name: string,
  description: string,
  endpoints: (kernel: WindowsKernelContext) => AsyncIterable<NetworkEndpoint>,
): PluginDefinition {
  const columns = [
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
  ] as const;
  return kernelItemsPlugin({ name, description, columns }, endpoints, (e) => [
    e.offset,
    e.protocol,
    e.localAddress,
    e.localPort,
    e.foreignAddress,
    e.foreignPort,
    e.state,
    e.pid,
    e.owner,
    e.createTime,
  ]);
}
