import type { LinuxKernelContext, LinuxTask, PluginDefinition, Vma } from '../api.ts';
import { codePreview, PREVIEW } from '../common/code-preview.ts';
import { readPadded } from '../common/padded-read.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';
import { protection, vmaNamer } from './vma-names.ts';
import { VMA_COLUMNS } from './vma-columns.ts';

export const malfind: PluginDefinition = {
  name: 'linux.malfind',
  description: 'Lists process memory ranges that potentially contain injected code.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    ...VMA_COLUMNS,
    { name: 'Protection', type: 'str' },
    { name: 'Hexdump', type: 'str' },
    // The first bytes disassembled as 64-bit code, as Volatility prints capstone's (../common/code-preview.ts).
    { name: 'Disasm', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const preview = codePreview(ctx);
    for await (const task of listedTasks(ctx, linux)) {
      // Kernel threads have no user space (nor does a task whose mm_struct is unreadable).
      const space = await linux.processSpace(task);
      if (!space) continue;
      const name = await vmaNamer(linux, task);
      const about = `PID ${task.pid} (${task.comm})`;
      for (const vma of await linux.vmas(task, about)) {
        if (!(await suspicious(linux, task, vma, about)) || (await name(vma)) === '[vdso]') continue;
        const data = (await readPadded(space, vma.start, PREVIEW)) ?? new Uint8Array(PREVIEW);
        const [hexdump, disasm] = await preview(data, vma.start, 64);
        yield { depth: 0, values: [task.pid, task.comm, vma.start, vma.end, protection(vma.flags), hexdump, disasm] };
      }
    }
  },
};

/**
 * Volatility's vm_area_struct.is_suspicious: readable, writable and executable; or read-execute with no file behind
 * it; or executable with a page written since it was mapped (dirty), looking from the start to the first page not mapped.
 */
async function suspicious(linux: LinuxKernelContext, task: LinuxTask, vma: Vma, about: string): Promise<boolean> {
  const access = protection(vma.flags);
  if (access === 'rwx' || (access === 'r-x' && vma.file === 0n)) return true;
  return access.includes('x') && (await linux.firstDirtyPage(task, vma, about)) !== null;
}
