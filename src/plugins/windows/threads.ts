import type { PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';
import { threadColumns, threadRowValues } from './thread-columns.ts';

export const threads: PluginDefinition = {
  name: 'windows.threads',
  description: 'Lists the threads of each process (its ThreadListHead).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: threadColumns,
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      for await (const t of kernel.threads(p)) yield { depth: 0, values: threadRowValues(t) };
    }
  },
};
