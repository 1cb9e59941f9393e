import type { PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';

export const handles: PluginDefinition = {
  name: 'windows.handles',
  description: 'Lists the open handles of each process (its handle table) and the objects they point at.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Offset', type: 'hex', address: 'kernel' },
    { name: 'HandleValue', type: 'hex' },
    { name: 'Type', type: 'str' },
    { name: 'GrantedAccess', type: 'hex' },
    { name: 'Name', type: 'str' },
  ],
  options: [
    PID_OPTION,
    // Not in Volatility 3.
    { name: 'type', type: 'str', multiple: true, description: 'Only handles to objects of these types (File, Key, Mutant, ...)' },
  ],
  tree: false,
  async *run(ctx) {
    const types = ctx.options['type'] as readonly string[] | undefined;
    const wanted = types === undefined ? undefined : new Set(types.map((t) => t.toLowerCase()));
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      for await (const h of kernel.handles(p)) {
        if (wanted && !wanted.has(h.type.toLowerCase())) continue;
        yield { depth: 0, values: [p.pid, p.name, h.object, BigInt(h.value), h.type, BigInt(h.access), h.name] };
      }
    }
  },
};
