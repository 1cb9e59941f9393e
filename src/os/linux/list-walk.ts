import type { Warn } from '../../plugins/plugin.ts';
import { MAX_LIST_ENTRIES, namedListLinks } from '../list-walk.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/**
 * The addresses of the entries of a circular `struct list_head` list in kernel memory, `head` excluded, each as
 * the address of the list_head inside the entry (callers subtract the member offset); bounded and cycle-guarded
 * by the shared walker. A warning names the list (`what`) and is at the list_head whose link ended the walk.
 */
export function listEntries(kernel: LinuxKernel, head: bigint, what: string, warn: Warn, limit = MAX_LIST_ENTRIES): AsyncGenerator<bigint> {
  return namedListLinks(kernel.vm, head, what, warn, limit);
}
