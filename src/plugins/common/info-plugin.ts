import type { OsName, PluginContext, PluginDefinition } from '../api.ts';

/** An OS's `info` plugin: Variable / Value rows, as Volatility 3's windows.info. */
export function infoPlugin(os: OsName, rows: (ctx: PluginContext) => Promise<[string, string][]>): PluginDefinition {
  return {
    name: `${os}.info`,
    description: 'Show OS & kernel details of the memory sample being analyzed.',
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os, discoveredSymbols: true }],
    columns: [
      { name: 'Variable', type: 'str' },
      { name: 'Value', type: 'str' },
    ],
    options: [],
    tree: false,
    async *run(ctx) {
      for (const [variable, value] of await rows(ctx)) yield { depth: 0, values: [variable, value] };
    },
  };
}
