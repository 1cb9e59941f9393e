import type { PluginDefinition } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';
import { anonymousNames, protection, specialMappingName } from './vma-names.ts';
import { VMA_COLUMNS } from './vma-columns.ts';

/** include/linux/mm.h VM_SHARED. */
const VM_SHARED = 0x8n;

export const procMaps: PluginDefinition = {
  name: 'linux.proc.Maps',
  description: 'Lists all memory maps for all processes (like /proc/<pid>/maps).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    ...VMA_COLUMNS,
    { name: 'Flags', type: 'str' },
    // A file offset, not an address.
    { name: 'PgOff', type: 'hex' },
    { name: 'Major', type: 'int' },
    { name: 'Minor', type: 'int' },
    { name: 'Inode', type: 'int' },
    { name: 'File Path', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      if (task.kernelThread) continue;
      const names = await anonymousNames(linux, task);
      for (const vma of await linux.vmas(task)) {
        const file = vma.file === 0n ? null : await linux.describeFile(vma.file);
        const special = file ? null : await specialMappingName(linux, vma);
        const [major, minor] = file ? file.device.split(':').map(Number) : [0, 0];
        yield {
          depth: 0,
          values: [
            task.pid,
            task.comm,
            vma.start,
            vma.end,
            permissions(vma.flags),
            file ? vma.pgoff * 4096n : 0n,
            major!,
            minor!,
            file?.inode ?? 0,
            file?.path ?? special ?? names(vma),
          ],
        };
      }
    }
  },
};

function permissions(flags: bigint): string {
  return `${protection(flags)}${flags & VM_SHARED ? 's' : 'p'}`;
}
