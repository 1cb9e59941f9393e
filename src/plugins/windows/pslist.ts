import type { PluginDefinition } from '../api.ts';
import { listedProcesses, PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';

export const pslist: PluginDefinition = {
  name: 'windows.pslist',
  description: 'Lists the processes present in a particular windows memory image.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: processColumns,
  options: PROCESS_OPTIONS,
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      yield { depth: 0, values: await processRowValues(kernel, p, ctx.options['physical'] === true) };
    }
  },
};
