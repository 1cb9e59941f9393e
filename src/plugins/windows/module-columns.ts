import type { Column, OptionSpec, PluginDefinition, PluginOptions, WindowsKernelContext, WindowsKernelModule } from '../api.ts';
import { kernelItemsPlugin } from './kernel-items-plugin.ts';

/** The bits of a kernel address Volatility 3's Intel layers keep (no sign extension). */
const ADDRESS_BITS = 0xffff_ffff_ffffn;

/** Options and columns of windows.modules and windows.modscan (as in Volatility 3, which has --dump too). */
export const MODULE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'base',
    type: 'int',
    description: 'Only the module at this base address, in the 48 bits Volatility 3 shows kernel addresses with (0xf8065f200000)',
  },
  { name: 'name', type: 'str', description: 'Only modules whose name contains this text' },
];

export const moduleColumns: readonly Column[] = [
  { name: 'Offset', type: 'hex', address: 'kernel' },
  { name: 'Base', type: 'hex', address: 'kernel' },
  { name: 'Size', type: 'hex' },
  { name: 'Name', type: 'str' },
  { name: 'Path', type: 'str' },
  { name: 'File output', type: 'str' },
];

/**
 * --base (compared with the base's low 48 bits, as Volatility 3 compares it with its masked pointer: a whole kernel
 * address is beyond what an int option holds exactly) and --name (a substring of the name, as Volatility matches it:
 * a module whose name is unreadable matches none).
 */
export function moduleFilter(options: PluginOptions): (m: WindowsKernelModule) => boolean {
  const base = options['base'] as number | undefined;
  const name = options['name'] as string | undefined;
  return (m) =>
    (base === undefined || (m.base & ADDRESS_BITS) === BigInt(base)) && (name === undefined || (m.name !== null && m.name.includes(name)));
}

/**
 * windows.modules and windows.modscan: one declaration (Volatility 3's columns and options; --dump left out, so File
 * output says 'Disabled') over the modules `enumerate` gives, filtered by --base and --name.
 */
export function modulePlugin(
  name: string,
  description: string,
  enumerate: (kernel: WindowsKernelContext) => AsyncIterable<WindowsKernelModule>,
): PluginDefinition {
  async function* wanted(kernel: WindowsKernelContext, options: PluginOptions): AsyncIterable<WindowsKernelModule> {
    const passes = moduleFilter(options);
    for await (const m of enumerate(kernel)) if (passes(m)) yield m;
  }
  return kernelItemsPlugin({ name, description, columns: moduleColumns, options: MODULE_OPTIONS }, wanted, (m) => [
    m.offset,
    m.base,
    BigInt(m.size),
    m.name,
    m.path,
    'Disabled',
  ]);
}
