import type { Cell, PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';

/**
 * Volatility 3's windows.sessions: the processes grouped by logon session, in the order each session is first seen,
 * with the session's type and the user as the process's environment tells them (SESSIONNAME, USERDOMAIN/USERNAME).
 */
export const sessions: PluginDefinition = {
  name: 'windows.sessions',
  description: 'Lists Processes with Session information extracted from Environmental Variables',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: [
    { name: 'Session ID', type: 'int' },
    { name: 'Session Type', type: 'str' },
    { name: 'Process ID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'User Name', type: 'str' },
    { name: 'Create Time', type: 'datetime' },
  ],
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const bySession = new Map<number | null, Cell[][]>();
    for await (const p of listedProcesses(ctx, kernel)) {
      const session = await kernel.sessionId(p);
      // Kernel processes have no environment; an unreadable one leaves type and user N/A, as in Volatility.
      const variables = p.view.u64('Peb') === 0n ? [] : ((await kernel.environment(p))?.variables ?? []);
      const value = (name: string) => variables.find(([n]) => n.toLowerCase() === name)?.[1];
      const user = `${value('userdomain') ?? ''}/${value('username') ?? ''}`;
      const row = [session, value('sessionname') ?? null, p.pid, p.name, user === '/' ? null : user, p.createTime];
      const rows = bySession.get(session) ?? [];
      rows.push(row);
      bySession.set(session, rows);
    }
    for (const rows of bySession.values()) for (const values of rows) yield { depth: 0, values };
  },
};
