import type { PluginDefinition } from '../api.ts';

export const hivelist: PluginDefinition = {
  name: 'windows.registry.hivelist',
  description: 'Lists the registry hives in memory (nt!CmpHiveListHead): the _CMHIVE and the hive file path.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'FileFullPath', type: 'str' },
    { name: 'File output', type: 'str' },
  ],
  options: [{ name: 'filter', type: 'str', description: 'String to filter hive names returned' }],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const filter = (ctx.options['filter'] as string | undefined)?.toLowerCase();
    for await (const hive of kernel.hives()) {
      ctx.signal?.throwIfAborted();
      if (filter !== undefined && !(hive.name ?? '').toLowerCase().includes(filter)) continue;
      yield { depth: 0, values: [hive.offset, hive.name ?? '', 'Disabled'] };
    }
  },
};
