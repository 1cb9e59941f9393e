import { activeProcesses } from '../../os/windows/process-list.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues, wantedPid } from './process-columns.ts';

export const pslist: PluginDefinition = {
  name: 'windows.pslist',
  description: 'Lists the processes present in a particular windows memory image.',
  os: 'windows',
  columns: processColumns,
  options: PROCESS_OPTIONS,
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const wanted = wantedPid(ctx);
    for await (const p of activeProcesses(kernel, (m) => ctx.warn(m))) {
      ctx.signal?.throwIfAborted();
      if (wanted(p)) yield { depth: 0, values: await processRowValues(kernel, p, ctx.options['physical'] === true) };
    }
  },
};
