import { pluginOs } from '../../src/plugins/plugin-definition.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import type { FuzzInput } from './inputs.ts';

/** The cheap plugin a campaign runs on an input when none is named: a process list, or the container for images with no OS. */
export function cheapPlugin(input: FuzzInput): string {
  return input.os === undefined ? 'image.info' : `${input.os}.pslist`;
}

/** Every built-in plugin that applies to the input's OS (and those for any image). */
export function pluginsFor(input: FuzzInput): string[] {
  return builtinPlugins.filter((p) => pluginOs(p) === 'any' || pluginOs(p) === input.os).map((p) => p.name);
}

/** Whether `plugin` can run on the input at all (its OS matches). */
export function appliesTo(plugin: string, input: FuzzInput): boolean {
  return pluginsFor(input).includes(plugin);
}

/** The YARA plugins need a pattern: a short one every image has; linux.pagecache.InodePages a file: the initramfs's /init. */
export function optionsFor(plugin: string): Record<string, string> {
  if (/yarascan/.test(plugin)) return { 'yara-string': 'kernel' };
  return plugin === 'linux.pagecache.InodePages' ? { find: '/init' } : {};
}
