import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { listLinks, type ListBreak } from '../list-walk.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** No kernel list we walk is longer; a longer walk is smear or a loop. */
export const MAX_LIST_ENTRIES = 1 << 20;

/**
 * The addresses of the entries of a circular `struct list_head` list in kernel memory, `head` excluded, each as
 * the address of the list_head inside the entry (callers subtract the member offset); bounded and cycle-guarded
 * by the shared walker. A warning names the list (`what`) and is at the list_head whose link ended the walk.
 */
export function listEntries(kernel: LinuxKernel, head: bigint, what: string, warn: Warn, limit = MAX_LIST_ENTRIES): AsyncGenerator<bigint> {
  return listLinks(kernel.vm, head, { limit, warn, describe: (b) => ({ message: breakMessage(what, limit, b), address: hex(b.at) }) });
}

function breakMessage(what: string, limit: number, b: ListBreak): string {
  switch (b.kind) {
    case 'unreadable':
      return `${what}: link unreadable after ${b.entries} entries: list truncated`;
    case 'null':
      return `${what}: link NULL after ${b.entries} entries: list truncated`;
    case 'loop':
      return `${what} loops back to ${hex(b.next)} after ${b.entries} entries: walk stopped`;
    case 'limit':
      return `${what} longer than ${limit} entries: walk stopped`;
  }
}
