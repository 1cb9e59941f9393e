import type { PluginContext } from './plugin-definition.ts';
import type { OptionSpec } from './plugin.ts';

export const PID_OPTION: OptionSpec = { name: 'pid', type: 'int', description: 'Only the process with this PID' };

/** The --pid filter: everything when the option is unset (the engine has checked it is an integer). */
export function wantedPid<P extends { readonly pid: number }>(ctx: PluginContext): (p: P) => boolean {
  const pid = ctx.options['pid'];
  return pid === undefined ? () => true : (p) => p.pid === pid;
}
