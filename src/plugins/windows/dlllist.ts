import type { LoaderModule, PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { dumpPe, pathBaseName } from './pe-dump.ts';
import { listedProcesses } from './process-columns.ts';

export const dlllist: PluginDefinition = {
  name: 'windows.dlllist',
  description: 'Lists the loaded modules of each process (PEB loader, load order).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Base', type: 'hex', address: 'process' },
    { name: 'Size', type: 'hex' },
    { name: 'Name', type: 'str' },
    { name: 'Path', type: 'str' },
    { name: 'LoadTime', type: 'datetime' },
    // Not in Volatility 3: how often the module was loaded (its _LDR_DDAG_NODE).
    { name: 'LoadCount', type: 'int' },
    { name: 'File output', type: 'str' },
  ],
  options: [
    PID_OPTION,
    { name: 'name', type: 'str', description: 'Only modules whose name or path matches this regular expression' },
    { name: 'ignore-case', type: 'bool', default: false, description: 'Match --name without regard to case' },
    { name: 'base', type: 'int', description: 'Only the module at this base address' },
    { name: 'dump', type: 'bool', description: 'Extract listed DLLs' },
  ],
  tree: false,
  async *run(ctx) {
    const wanted = moduleFilter(ctx.options);
    if (wanted === null) {
      ctx.warn({ code: 'UNSUPPORTED', message: `--name ${String(ctx.options['name'])} is not a valid regular expression: nothing listed` });
      return;
    }
    const kernel = await ctx.windows();
    const dump = ctx.options['dump'] === true;
    for await (const p of listedProcesses(ctx, kernel)) {
      const space = kernel.processSpace(p);
      for await (const m of kernel.loadedModules(p)) {
        if (!wanted(m)) continue;
        // --dump: the module rebuilt into pid.<PID>.<file name>.<entry>.<base>.dmp, as Volatility 3 names it.
        const name = `pid.${p.pid}.${m.path === null ? 'UnreadableDLLName' : pathBaseName(m.path)}.0x${m.entry.toString(16)}.0x${m.base.toString(16)}.dmp`;
        const what = `PID ${p.pid} (${p.name}) ${m.name ?? 'module'}`;
        const output = dump ? await dumpPe(ctx, space, m.base, name, { what }) : 'Disabled';
        yield { depth: 0, values: [p.pid, p.name, m.base, BigInt(m.size), m.name, m.path, m.loadTime, m.loadCount, output] };
      }
    }
  },
};

/** --name (a regular expression matched anywhere in the name or the path, like Volatility's) and --base; null for a bad expression. */
function moduleFilter(options: Readonly<Record<string, unknown>>): ((m: LoaderModule) => boolean) | null {
  const base = options['base'] as number | undefined;
  const pattern = options['name'] as string | undefined;
  let re: RegExp | undefined;
  try {
    re = pattern === undefined ? undefined : new RegExp(pattern, options['ignore-case'] ? 'i' : '');
  } catch {
    return null;
  }
  return (m) =>
    (base === undefined || m.base === BigInt(base)) &&
    // Like Volatility, a module whose name or path is unreadable matches no expression.
    (re === undefined || (m.name !== null && m.path !== null && (re.test(m.name) || re.test(m.path))));
}
