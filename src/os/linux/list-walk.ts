import type { LinuxKernel } from './linux-kernel.ts';

/** No kernel list we walk is longer; a longer walk is smear or a loop. */
export const MAX_LIST_ENTRIES = 1 << 20;

/**
 * The addresses of the entries of a circular `struct list_head` list, `head` excluded, each as the address
 * of the list_head inside the entry (callers subtract the member offset). Stops at the head, a repeated
 * entry, a NULL or unreadable link (with a warning for all but the head), or after `limit` entries.
 */
export async function* listEntries(
  kernel: LinuxKernel,
  head: bigint,
  what: string,
  warn: (message: string) => void,
  limit = MAX_LIST_ENTRIES,
): AsyncGenerator<bigint> {
  const seen = new Set<bigint>([head]);
  let next = await kernel.vm.readU64(head);
  while (next !== head) {
    if (next === null || next === 0n) {
      warn(`${what}: link ${next === null ? 'unreadable' : 'NULL'} after ${seen.size - 1} entries: list truncated`);
      return;
    }
    if (seen.has(next)) {
      warn(`${what} loops back to 0x${next.toString(16)} after ${seen.size - 1} entries: walk stopped`);
      return;
    }
    if (seen.size > limit) {
      warn(`${what} longer than ${limit} entries: walk stopped`);
      return;
    }
    seen.add(next);
    yield next;
    next = await kernel.vm.readU64(next);
  }
}
