import { activeProcesses } from '../../os/windows/process-list.ts';
import { processParameters, type WindowsProcess } from '../../os/windows/process.ts';
import { readUnicodeString } from '../../os/windows/unicode-string.ts';
import type { WindowsKernel } from '../../os/windows/windows-kernel.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import type { Cell, PluginOptions } from '../plugin.ts';
import { treeOrder } from '../process-tree-order.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues } from './process-columns.ts';
import { wantedPid } from '../pid-filter.ts';

export const pstree: PluginDefinition = {
  name: 'windows.pstree',
  description: 'Plugin for listing processes in a tree based on their parent process ID.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
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
    for await (const p of activeProcesses(kernel, (m) => ctx.warn(m))) processes.push(p);
    const physical = ctx.options['physical'] === true;
    for (const { process: p, depth } of treeOrder(processes, wantedPid(ctx), ctx.signal)) {
      yield { depth, values: [...(await processRowValues(kernel, p, physical)).slice(0, 10), ...(await treeExtras(kernel, p))] };
    }
  },
};

/** Audit (SeAuditProcessCreationInfo image name), Cmd and Path; null where unreadable, as Volatility's N/A. */
async function treeExtras(kernel: WindowsKernel, p: WindowsProcess): Promise<Cell[]> {
  let audit: string | null = null;
  const namePtr = p.view.u64('SeAuditProcessCreationInfo.ImageFileName');
  if (namePtr !== 0n) {
    const header = await kernel.vm.read(namePtr, 16);
    audit = header && ((await readUnicodeString(kernel.vm, header)) || null);
  }
  const params = await processParameters(kernel, p);
  return [audit, params.commandLine, params.imagePath];
}
