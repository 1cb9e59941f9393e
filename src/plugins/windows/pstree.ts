import { activeProcesses } from '../../os/windows/process-list.ts';
import { processParameters, type WindowsProcess } from '../../os/windows/process.ts';
import { readUnicodeString } from '../../os/windows/unicode-string.ts';
import type { WindowsKernel } from '../../os/windows/windows-kernel.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import type { Cell, PluginOptions } from '../plugin.ts';
import { PROCESS_OPTIONS, processColumns, processRowValues, wantedPid } from './process-columns.ts';

export const pstree: PluginDefinition = {
  name: 'windows.pstree',
  description: 'Plugin for listing processes in a tree based on their parent process ID.',
  os: 'windows',
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
    const byPid = new Map<number, WindowsProcess>();
    for await (const p of activeProcesses(kernel, (m) => ctx.warn(m))) if (!byPid.has(p.pid)) byPid.set(p.pid, p);

    const children = new Map<number, number[]>();
    const roots: number[] = [];
    for (const p of byPid.values()) {
      if (p.ppid !== p.pid && byPid.has(p.ppid)) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
      else roots.push(p.pid);
    }
    const wanted = wantedPid(ctx);
    const inFilteredTree = (pid: number, seen = new Set<number>()): boolean => {
      const p = byPid.get(pid)!;
      if (wanted(p)) return true;
      seen.add(pid);
      return (children.get(pid) ?? []).some((c) => !seen.has(c) && inFilteredTree(c, seen));
    };

    const emitted = new Set<number>();
    const physical = ctx.options['physical'] === true;
    // Iterative pre-order walk; `emitted` breaks PPID cycles that smear can create.
    const stack = roots.map((pid) => ({ pid, depth: 0, descendant: false })).reverse();
    while (stack.length > 0) {
      ctx.signal?.throwIfAborted();
      const { pid, depth, descendant } = stack.pop()!;
      if (emitted.has(pid)) continue;
      emitted.add(pid);
      if (!descendant && !inFilteredTree(pid)) continue;
      const p = byPid.get(pid)!;
      yield { depth, values: [...(await processRowValues(kernel, p, physical)).slice(0, 10), ...(await treeExtras(kernel, p))] };
      const kids = [...(children.get(pid) ?? [])].sort((a, b) => b - a);
      for (const c of kids) stack.push({ pid: c, depth: depth + 1, descendant: descendant || wanted(p) });
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
