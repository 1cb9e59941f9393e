import type { Cell, PluginDefinition, PluginOptions, WindowsKernelContext, WindowsProcess } from '../api.ts';
import { treeOrder } from '../common/process-tree-order.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';
import { wantedPid } from '../common/pid-filter.ts';

export const pstree: PluginDefinition = {
  name: 'windows.pstree',
  description: 'Plugin for listing processes in a tree based on their parent process ID.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }],
  columns: (options: PluginOptions) => [
    ...processColumns(options).filter((c) => c.name !== 'File output'),
    { name: 'Audit', type: 'str' },
    { name: 'Cmd', type: 'str' },
    { name: 'Path', type: 'str' },
  ],
  options: PROCESS_OPTIONS,
  tree: true,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const processes: WindowsProcess[] = [];
    for await (const p of kernel.processes()) processes.push(p);
    const physical = ctx.options['physical'] === true;
    for (const { process: p, depth } of treeOrder(processes, wantedPid(ctx), ctx.signal)) {
      yield { depth, values: [...(await processRowValues(kernel, p, physical)).slice(0, 10), ...(await treeExtras(kernel, p))] };
    }
  },
};

/** Audit (SeAuditProcessCreationInfo image name), Cmd and Path; null where unreadable, as Volatility's N/A. */
async function treeExtras(kernel: WindowsKernelContext, p: WindowsProcess): Promise<Cell[]> {
  // An _OBJECT_NAME_INFORMATION, whose Name (a _UNICODE_STRING) comes first.
  const namePtr = p.view.u64('SeAuditProcessCreationInfo.ImageFileName');
  const audit = namePtr === 0n ? null : (await kernel.readUnicodeString(namePtr)) || null;
  const params = await kernel.processParameters(p);
  return [audit, params.commandLine, params.imagePath];
}
