import type { PluginDefinition } from '../api.ts';
import { listedProcesses, PROCESS_OPTIONS } from './process-columns.ts';

export const cmdline: PluginDefinition = {
  name: 'windows.cmdline',
  description: 'Lists process command line arguments.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Args', type: 'str' },
  ],
  options: PROCESS_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      const { commandLine } = await kernel.processParameters(p);
      // Like Volatility, say why there is no command line rather than leaving the cell empty.
      const args =
        commandLine ?? (p.view.u64('Peb') === 0n ? 'No PEB (kernel process)' : 'Required memory is not valid (paged out, or process exited?)');
      yield { depth: 0, values: [p.pid, p.name, args] };
    }
  },
};
