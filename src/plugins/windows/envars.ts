import type { PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';

export const envars: PluginDefinition = {
  name: 'windows.envars',
  description: 'Lists process environment variables (read from process memory).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    // The address of the environment block itself. Volatility 3 prints the address of the Environment field in
    // _RTL_USER_PROCESS_PARAMETERS instead (ProcessParameters.Environment.vol.offset), which is not the block.
    { name: 'Block', type: 'hex', address: 'process' },
    { name: 'Variable', type: 'str' },
    { name: 'Value', type: 'str' },
  ],
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      if (p.view.u64('Peb') === 0n) continue; // kernel processes (System, Registry) have no environment
      const env = await kernel.environment(p);
      if (env === null) {
        ctx.warn({
          code: 'UNREADABLE',
          message: `PID ${p.pid} (${p.name}): environment not readable (paged out, or process exiting)`,
          address: p.offset === null ? undefined : `0x${p.offset.toString(16)}`,
        });
        continue;
      }
      for (const [name, value] of env.variables) yield { depth: 0, values: [p.pid, p.name, env.block, name, value] };
    }
  },
};
