import type { PluginContext } from './plugin-definition.ts';
import type { OptionSpec } from './plugin.ts';

export const PID_OPTION: OptionSpec = { name: 'pid', type: 'int', description: 'Only the process with this PID' };

/** The --pid filter: everything when the option is unset. */
export function wantedPid<P extends { readonly pid: number }>(ctx: PluginContext): (p: P) => boolean {
  const pid = ctx.options['pid'];
  return pid === undefined || pid === '' ? () => true : (p) => p.pid === Number(pid);
}
