import type { PluginDefinition } from '../api.ts';
import { listedProcesses, PROCESS_OPTIONS } from './process-columns.ts';

export const getsids: PluginDefinition = {
  name: 'windows.getsids',
  description: 'Print the SIDs owning each process',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'SID', type: 'str' },
    { name: 'Name', type: 'str' },
  ],
  options: PROCESS_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      const token = await kernel.token(p);
      // Like Volatility, a row says the token is unreadable (the warning says where it was).
      if (!token) {
        yield { depth: 0, values: [p.pid, p.name, 'Token unreadable', ''] };
        continue;
      }
      for (const s of [token.user, ...token.groups]) if (s) yield { depth: 0, values: [p.pid, p.name, s.sid, s.name] };
    }
  },
};
