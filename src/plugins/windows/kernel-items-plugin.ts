import type { Cell, Column, OptionSpec, PluginDefinition, PluginOptions, WindowsKernelContext } from '../api.ts';

/** What a plugin that lists kernel items one row each declares: its name, help, Volatility 3's columns, options. */
export interface KernelItemsSpec {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly options?: readonly OptionSpec[];
}

/**
 * A Windows plugin whose rows are items the kernel gives (endpoints, objects): one flat row per item, its
 * cells in the columns' order.
 */
export function kernelItemsPlugin<T>(
  spec: KernelItemsSpec,
  items: (kernel: WindowsKernelContext, options: PluginOptions) => AsyncIterable<T>,
  cells: (item: T) => Cell[],
): PluginDefinition {
  return {
    ...spec,
    options: spec.options ?? [],
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    tree: false,
    async *run(ctx) {
      for await (const item of items(await ctx.windows(), ctx.options)) yield { depth: 0, values: cells(item) };
    },
  };
}
