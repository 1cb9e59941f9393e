import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** No kernel list we walk is longer; a longer walk is smear or a loop. */
export const MAX_LIST_ENTRIES = 1 << 20;

/**
 * The addresses of the entries of a circular `struct list_head` list, `head` excluded, each as the address
 * of the list_head inside the entry (callers subtract the member offset). Stops at the head, a repeated
 * entry, a NULL or unreadable link (with a warning for all but the head), or after `limit` entries. A warning's
 * address is the list_head whose link ended the walk.
 */
export async function* listEntries(
  kernel: LinuxKernel,
  head: bigint,
  what: string,
  warn: Warn,
  limit = MAX_LIST_ENTRIES,
): AsyncGenerator<bigint> {
  const seen = new Set<bigint>([head]);
  let entry = head;
  let next = await kernel.vm.readU64(head);
  while (next !== head) {
    const address = hex(entry);
    if (next === null) {
      warn({ code: 'UNREADABLE', message: `${what}: link unreadable after ${seen.size - 1} entries: list truncated`, address });
      return;
    }
    if (next === 0n) {
      warn({ code: 'SMEAR', message: `${what}: link NULL after ${seen.size - 1} entries: list truncated`, address });
      return;
    }
    if (seen.has(next)) {
      warn({ code: 'SMEAR', message: `${what} loops back to ${hex(next)} after ${seen.size - 1} entries: walk stopped`, address });
      return;
    }
    if (seen.size > limit) {
      warn({ code: 'LIMIT', message: `${what} longer than ${limit} entries: walk stopped`, address });
      return;
    }
    seen.add(next);
    yield next;
    entry = next;
    next = await kernel.vm.readU64(next);
  }
}
