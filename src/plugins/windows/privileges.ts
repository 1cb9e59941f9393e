import type { PluginDefinition, TokenPrivilege } from '../api.ts';
import { listedProcesses, PROCESS_OPTIONS } from './process-columns.ts';

/** "Present,Enabled,Default", as Volatility composes it ('' for a privilege the token lacks). */
function attributes(p: TokenPrivilege): string {
  return [p.present && 'Present', p.enabled && 'Enabled', p.enabledByDefault && 'Default'].filter(Boolean).join(',');
}

export const privileges: PluginDefinition = {
  name: 'windows.privileges',
  description: 'Lists process token privileges',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Value', type: 'int' },
    { name: 'Privilege', type: 'str' },
    { name: 'Attributes', type: 'str' },
    { name: 'Description', type: 'str' },
  ],
  options: PROCESS_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      // An unreadable token has no rows (Volatility skips it too); the kernel context warns with its address.
      const token = await kernel.token(p);
      // Every privilege Windows defines, held or not, as Volatility lists them; bits naming none were warned about.
      for (const priv of token?.privileges ?? []) {
        if (priv.name !== null) yield { depth: 0, values: [p.pid, p.name, priv.value, priv.name, attributes(priv), priv.description] };
      }
    }
  },
};
