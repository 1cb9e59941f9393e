import type { LinuxTask, PluginContext, PluginDefinition, VirtualMemory, Vma } from '../api.ts';
import { outputFile } from '../common/file-output.ts';
import { elfDumpName, loadSegments, writeElfImage } from './elf-dump.ts';
import { ELF_MAGIC, hasElfMagic } from './elf-header.ts';
import { listedUserSpaces, TASK_OPTIONS } from './task-rows.ts';
import { vmaNamer } from './vma-names.ts';
import { VMA_COLUMNS } from './vma-columns.ts';

export const elfs: PluginDefinition = {
  name: 'linux.elfs',
  description: 'Lists all memory mapped ELF files for all processes; --dump writes each image from its mappings.',
  version: '1.1.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    ...VMA_COLUMNS,
    { name: 'File Path', type: 'str' },
    // Where --dump wrote the image: 'Disabled' without it, as Volatility.
    { name: 'File Output', type: 'str' },
  ],
  options: [...TASK_OPTIONS.filter((o) => o.name === 'pid'), { name: 'dump', type: 'bool', description: 'Extract the ELF images' }],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const { task, space } of listedUserSpaces(ctx, linux)) {
      const name = await vmaNamer(linux, task);
      for (const vma of await linux.vmas(task, `PID ${task.pid} (${task.comm})`)) {
        if (!hasElfMagic(await space.read(vma.start, ELF_MAGIC.length))) continue;
        const output = ctx.options['dump'] === true ? await dumpImage(ctx, task, vma, space) : 'Disabled';
        yield { depth: 0, values: [task.pid, task.comm, vma.start, vma.end, await name(vma), output] };
      }
    }
  },
};

/** --dump: the image at the mapping's start written out; its File Output cell (the file's name, or why there is none). */
async function dumpImage(ctx: PluginContext, task: LinuxTask, vma: Vma, space: VirtualMemory): Promise<string> {
  const segments = await loadSegments(space, vma.start);
  if (typeof segments === 'string') {
    ctx.warn({ code: 'UNREADABLE', message: `PID ${task.pid} (${task.comm}) ELF at 0x${vma.start.toString(16)}: ${segments}; not dumped` });
    // Volatility's words for an image it could not write.
    return 'Error outputting file';
  }
  const file = await outputFile(ctx, elfDumpName(task, vma));
  if (typeof file === 'string') return file;
  await writeElfImage(ctx, space, segments, file);
  return file.name;
}
