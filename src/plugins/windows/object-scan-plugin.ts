import type { PluginDefinition, WindowsKernelContext } from '../api.ts';
import { kernelItemsPlugin } from './kernel-items-plugin.ts';

/** An object a pool scan found, as windows.filescan and windows.mutantscan list it. */
interface ScannedObject {
  readonly offset: bigint;
  readonly name: string | null;
}

/** A pool-scan plugin with Volatility 3's two columns, Offset (the object body's kernel address) and Name. */
export function objectScanPlugin(
  name: string,
  description: string,
  scan: (kernel: WindowsKernelContext) => AsyncIterable<ScannedObject>,
): PluginDefinition {
  const columns = [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'Name', type: 'str' },
  ] as const;
  return kernelItemsPlugin({ name, description, columns }, scan, (o) => [o.offset, o.name]);
}
