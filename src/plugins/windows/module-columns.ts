import type {
  Column,
  OptionSpec,
  PluginContext,
  PluginDefinition,
  PluginOptions,
  VirtualMemory,
  WindowsKernelContext,
  WindowsKernelModule,
} from '../api.ts';
import { dumpPe, pathBaseName } from './pe-dump.ts';

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
  { name: 'dump', type: 'bool', description: 'Extract listed modules' },
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
 * windows.modules and windows.modscan: one declaration (Volatility 3's columns and options) over the modules
 * `enumerate` gives, filtered by --base and --name; --dump rebuilds each module's image (File output 'Disabled' without).
 */
export function modulePlugin(
  name: string,
  description: string,
  enumerate: (kernel: WindowsKernelContext) => AsyncIterable<WindowsKernelModule>,
): PluginDefinition {
  return {
    name,
    description,
    columns: moduleColumns,
    options: MODULE_OPTIONS,
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    tree: false,
    async *run(ctx) {
      const kernel = await ctx.windows();
      const passes = moduleFilter(ctx.options);
      let sessions: Promise<VirtualMemory[]> | undefined;
      for await (const m of enumerate(kernel)) {
        if (!passes(m)) continue;
        const output = ctx.options['dump'] === true ? await dumpModule(ctx, m, await (sessions ??= sessionSpaces(kernel))) : 'Disabled';
        yield { depth: 0, values: [m.offset, m.base, BigInt(m.size), m.name, m.path, output] };
      }
    },
  };
}

/** Volatility 3's session layers: the address space of the first process of each session, in process-list order. */
async function sessionSpaces(kernel: WindowsKernelContext): Promise<VirtualMemory[]> {
  const seen = new Set<number>();
  const spaces: VirtualMemory[] = [];
  for await (const p of kernel.processes()) {
    const id = await kernel.sessionId(p);
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    spaces.push(kernel.processSpace(p));
  }
  return spaces;
}

/**
 * --dump: the module rebuilt from the first session space that maps its base (session drivers are mapped in their
 * session's only), into <file name>.<entry>.<base>.dmp with Volatility 3's 48-bit addresses ('unmapped' for the entry
 * of a scanned module the kernel does not map); Volatility's words when no session space maps it.
 */
async function dumpModule(ctx: PluginContext, m: WindowsKernelModule, sessions: readonly VirtualMemory[]): Promise<string> {
  const base = `0x${(m.base & ADDRESS_BITS).toString(16)}`;
  for (const space of sessions) {
    if (await space.read(m.base, 1)) return await dumpFrom(ctx, space, m, base);
  }
  return `Cannot find a viable session layer for ${base}`;
}

/** The module rebuilt from `space` into the file Volatility 3 names. */
async function dumpFrom(ctx: PluginContext, space: VirtualMemory, m: WindowsKernelModule, base: string): Promise<string> {
  const entry = m.offset === null ? 'unmapped' : `0x${(m.offset & ADDRESS_BITS).toString(16)}`;
  const file = `${m.path === null ? 'UnreadableDLLName' : pathBaseName(m.path)}.${entry}.${base}.dmp`;
  return await dumpPe(ctx, space, m.base, file, { what: `kernel module ${m.name ?? base}` });
}
