import type { LinuxKernelContext, LinuxTask, PluginDefinition, Vma } from '../api.ts';
import { listedTasks, TASK_OPTIONS } from './task-rows.ts';

/** include/linux/mm.h VM_READ / VM_WRITE / VM_EXEC / VM_SHARED. */
const VM_READ = 0x1n;
const VM_WRITE = 0x2n;
const VM_EXEC = 0x4n;
const VM_SHARED = 0x8n;

export const procMaps: PluginDefinition = {
  name: 'linux.proc.Maps',
  description: 'Lists all memory maps for all processes (like /proc/<pid>/maps).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Start', type: 'hex', address: 'process' },
    { name: 'End', type: 'hex', address: 'process' },
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
  return `${flags & VM_READ ? 'r' : '-'}${flags & VM_WRITE ? 'w' : '-'}${flags & VM_EXEC ? 'x' : '-'}${flags & VM_SHARED ? 's' : 'p'}`;
}

/** The name of a kernel-installed mapping ([vdso], [vvar], ...): vm_ops is special_mapping_vmops, vm_private_data a struct vm_special_mapping. */
async function specialMappingName(kernel: LinuxKernelContext, vma: Vma): Promise<string | null> {
  const special = ['special_mapping_vmops', 'legacy_special_mapping_vmops'].some((s) => kernel.hasSymbol(s) && kernel.symbolAddress(s) === vma.ops);
  if (!special || vma.privateData === 0n || !kernel.hasStruct('vm_special_mapping')) return null;
  const name = await kernel.readPointer(vma.privateData + BigInt(kernel.fieldOffset('vm_special_mapping', 'name')));
  return name ? kernel.readCString(name, 64) : null;
}

/** How /proc names anonymous mappings: [heap] (brk area) and [stack] (holds start_stack); others stay blank. */
async function anonymousNames(kernel: LinuxKernelContext, task: LinuxTask): Promise<(vma: Vma) => string> {
  const mm = await kernel.readStruct('mm_struct', task.mm);
  if (!mm) return () => '';
  const [startBrk, brk, stack] = [mm.u64('start_brk'), mm.u64('brk'), mm.u64('start_stack')];
  return (vma) => (vma.start <= startBrk && vma.end >= brk && brk > startBrk ? '[heap]' : vma.start <= stack && stack < vma.end ? '[stack]' : '');
}
