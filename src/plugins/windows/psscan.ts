import type { PluginDefinition } from '../api.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';
import { wantedPid } from '../common/pid-filter.ts';

export const psscan: PluginDefinition = {
  name: 'windows.psscan',
  description: 'Scans physical memory for processes, including unlinked (hidden) and exited ones.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: processColumns,
  options: PROCESS_OPTIONS,
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const wanted = wantedPid(ctx);
    for await (const p of kernel.scanProcesses()) {
      if (wanted(p)) yield { depth: 0, values: await processRowValues(kernel, p, ctx.options['physical'] === true) };
    }
  },
};
