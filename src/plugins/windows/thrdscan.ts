import type { PluginDefinition } from '../api.ts';
import { threadColumns, threadRowValues } from './thread-columns.ts';

export const thrdscan: PluginDefinition = {
  name: 'windows.thrdscan',
  description: 'Scans physical memory for threads, including those of exited and unlinked (hidden) processes.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: threadColumns,
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const t of kernel.scanThreads()) yield { depth: 0, values: threadRowValues(t) };
  },
};
