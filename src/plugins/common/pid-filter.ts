import type { OptionSpec, PluginContext } from '../api.ts';

export const PID_OPTION: OptionSpec = { name: 'pid', type: 'int', multiple: true, description: 'Only the processes with these PIDs' };

/** The --pid filter: everything when the option is unset. */
export function wantedPid<P extends { readonly pid: number }>(ctx: PluginContext): (p: P) => boolean {
  // The engine has checked that a given --pid is a non-empty list of integers.
  const pids = ctx.options['pid'] as readonly number[] | undefined;
  if (pids === undefined) return () => true;
  const wanted = new Set(pids);
  return (p) => wanted.has(p.pid);
}
