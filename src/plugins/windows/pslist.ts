import type { PluginContext, PluginDefinition, WindowsKernelContext, WindowsProcess } from '../api.ts';
import { dumpPe, PE_DUMP_FAILED } from './pe-dump.ts';
import { listedProcesses, PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';

export const pslist: PluginDefinition = {
  name: 'windows.pslist',
  description: 'Lists the processes present in a particular windows memory image.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: processColumns,
  options: [...PROCESS_OPTIONS, { name: 'dump', type: 'bool', description: 'Extract listed processes' }],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const dump = ctx.options['dump'] === true;
    for await (const p of listedProcesses(ctx, kernel)) {
      const output = dump ? await dumpExecutable(ctx, kernel, p) : 'Disabled';
      yield { depth: 0, values: await processRowValues(kernel, p, ctx.options['physical'] === true, output) };
    }
  },
};

/**
 * --dump: the process's executable (PEB.ImageBaseAddress) rebuilt into <PID>.<ImageFileName>.<base>.dmp, as
 * Volatility 3 names it; Volatility's `Error outputting file` for a process without a readable PEB (System, Registry).
 */
async function dumpExecutable(ctx: PluginContext, kernel: WindowsKernelContext, p: WindowsProcess): Promise<string> {
  const peb = p.view.u64('Peb');
  if (peb === 0n) return PE_DUMP_FAILED;
  const space = kernel.processSpace(p);
  const base = await kernel.readPointer(peb + BigInt(kernel.fieldOffset('_PEB', 'ImageBaseAddress')), space);
  const what = `PID ${p.pid} (${p.name})`;
  if (base === null) {
    ctx.warn({ code: 'UNREADABLE', message: `${what}: PEB.ImageBaseAddress is not readable; executable not dumped` });
    return PE_DUMP_FAILED;
  }
  return await dumpPe(ctx, space, base, `${p.pid}.${p.name}.0x${base.toString(16)}.dmp`, { what, keepName: true });
}
