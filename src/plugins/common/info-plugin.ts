import type { OsName, PluginContext, PluginDefinition } from '../api.ts';

type VariableValue = readonly [variable: string, value: string];

/** A plugin of Variable / Value rows, as Volatility 3's windows.info prints them. */
export function variableValuePlugin(
  head: Pick<PluginDefinition, 'name' | 'description' | 'version' | 'requirements'>,
  rows: (ctx: PluginContext) => Promise<readonly VariableValue[]> | AsyncIterable<VariableValue>,
): PluginDefinition {
  return {
    ...head,
    columns: [
      { name: 'Variable', type: 'str' },
      { name: 'Value', type: 'str' },
    ],
    options: [],
    tree: false,
    async *run(ctx) {
      for await (const [variable, value] of await rows(ctx)) yield { depth: 0, values: [variable, value] };
    },
  };
}

/** An OS's `info` plugin. */
export function infoPlugin(os: OsName, rows: (ctx: PluginContext) => Promise<[string, string][]>): PluginDefinition {
  return variableValuePlugin(
    {
      name: `${os}.info`,
      description: 'Show OS & kernel details of the memory sample being analyzed.',
      version: '1.0.0',
      requirements: [{ kind: 'kernel', os, discoveredSymbols: true }],
    },
    rows,
  );
}
