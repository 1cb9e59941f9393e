import type { LinuxKernelContext, LinuxTask, Vma } from '../api.ts';

/** include/linux/mm.h VM_READ / VM_WRITE / VM_EXEC. */
const VM_READ = 0x1n;
const VM_WRITE = 0x2n;
const VM_EXEC = 0x4n;

/** A mapping's access as rwx letters, '-' for each missing (Volatility's vm_area_struct.get_protection). */
export function protection(flags: bigint): string {
  return `${flags & VM_READ ? 'r' : '-'}${flags & VM_WRITE ? 'w' : '-'}${flags & VM_EXEC ? 'x' : '-'}`;
}

/** The name of a kernel-installed mapping ([vdso], [vvar], ...): vm_ops is special_mapping_vmops, vm_private_data a struct vm_special_mapping. */
export async function specialMappingName(kernel: LinuxKernelContext, vma: Vma): Promise<string | null> {
  const special = ['special_mapping_vmops', 'legacy_special_mapping_vmops'].some((s) => kernel.hasSymbol(s) && kernel.symbolAddress(s) === vma.ops);
  if (!special || vma.privateData === 0n || !kernel.hasStruct('vm_special_mapping')) return null;
  const name = await kernel.readPointer(vma.privateData + BigInt(kernel.fieldOffset('vm_special_mapping', 'name')));
  return name ? kernel.readCString(name, 64) : null;
}

/** How /proc names anonymous mappings: [heap] (brk area) and [stack] (holds start_stack); others stay blank. */
export async function anonymousNames(kernel: LinuxKernelContext, task: LinuxTask): Promise<(vma: Vma) => string> {
  const mm = await kernel.readStruct('mm_struct', task.mm);
  if (!mm) return () => '';
  const [startBrk, brk, stack] = [mm.u64('start_brk'), mm.u64('brk'), mm.u64('start_stack')];
  return (vma) => (vma.start <= startBrk && vma.end >= brk && brk > startBrk ? '[heap]' : vma.start <= stack && stack < vma.end ? '[stack]' : '');
}

/**
 * A task's mappings named as Volatility 3's vm_area_struct.get_name: the mapped file's path, a kernel-installed
 * mapping's name ([vdso]), [heap] or [stack], else "Anonymous Mapping".
 */
export async function vmaNamer(kernel: LinuxKernelContext, task: LinuxTask): Promise<(vma: Vma) => Promise<string>> {
  const names = await anonymousNames(kernel, task);
  return async (vma) => {
    const file = vma.file === 0n ? null : await kernel.describeFile(vma.file);
    return file?.path ?? (await specialMappingName(kernel, vma)) ?? (names(vma) || 'Anonymous Mapping');
  };
}
