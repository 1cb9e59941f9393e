import type { PluginDefinition, WindowsKernelContext } from '../api.ts';

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
  return {
    name,
    description,
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    columns: [
      { name: 'Offset', type: 'hex', address: 'kernel' },
      { name: 'Name', type: 'str' },
    ],
    options: [],
    tree: false,
    async *run(ctx) {
      for await (const o of scan(await ctx.windows())) yield { depth: 0, values: [o.offset, o.name] };
    },
  };
}
