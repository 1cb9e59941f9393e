import type { PluginDefinition } from '../api.ts';

/** The pool tag of _CMHIVE allocations (big page pool allocations on 64-bit Windows 8.1 and later). */
const HIVE_TAG = 'CM10';

export const hivescan: PluginDefinition = {
  name: 'windows.registry.hivescan',
  description: 'Scans for registry hives: the _CMHIVE allocations of nt!PoolBigPageTable tagged CM10 (unlinked hives too).',
  version: '1.0.0',
  requirements: [
    { kind: 'kernel', os: 'windows' },
    { kind: 'plugin', name: 'windows.bigpools', version: '^1' },
  ],
  columns: [{ name: 'Offset', type: 'hex', address: 'kernel' }],
  options: [],
  tree: false,
  async *run(ctx) {
    for await (const { cells } of ctx.runPlugin('windows.bigpools', { tags: HIVE_TAG })) {
      yield { depth: 0, values: [cells['Allocation'] ?? null] };
    }
  },
};
