import { scanProcesses } from '../../os/windows/process-scan.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';
import { wantedPid } from '../pid-filter.ts';

export const psscan: PluginDefinition = {
  name: 'windows.psscan',
  description: 'Scans physical memory for processes, including unlinked (hidden) and exited ones.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: processColumns,
  options: PROCESS_OPTIONS,
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const wanted = wantedPid(ctx);
    const found = scanProcesses(kernel, ctx.scanner, (m) => ctx.warn(m), { signal: ctx.signal, onProgress: (d, t, s) => ctx.progress(d, t, s) });
    for await (const p of found) {
      if (wanted(p)) yield { depth: 0, values: await processRowValues(kernel, p, ctx.options['physical'] === true) };
    }
  },
};
