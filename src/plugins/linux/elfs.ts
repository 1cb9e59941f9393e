import type { PluginDefinition } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';
import { vmaNamer } from './vma-names.ts';
import { VMA_COLUMNS } from './vma-columns.ts';

/** The ELF magic, "\x7fELF". */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export const elfs: PluginDefinition = {
  name: 'linux.elfs',
  description: 'Lists all memory mapped ELF files for all processes.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    ...VMA_COLUMNS,
    { name: 'File Path', type: 'str' },
    // Where Volatility's --dump writes the image; memscope does not extract them.
    { name: 'File Output', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      // Kernel threads have no user space (nor does a task whose mm_struct is unreadable).
      const space = await linux.processSpace(task);
      if (!space) continue;
      const name = await vmaNamer(linux, task);
      for (const vma of await linux.vmas(task, `PID ${task.pid} (${task.comm})`)) {
        const head = await space.read(vma.start, ELF_MAGIC.length);
        if (!head || ELF_MAGIC.some((b, i) => head[i] !== b)) continue;
        yield { depth: 0, values: [task.pid, task.comm, vma.start, vma.end, await name(vma), 'Disabled'] };
      }
    }
  },
};
