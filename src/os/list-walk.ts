import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { RunWarning, Warn, WarningCode } from '../plugins/plugin.ts';

/** Why a walk ended before it came back to its head. */
export type ListBreak = {
  /** The link (list entry) whose forward pointer ended the walk: the head itself when it is the first. */
  readonly at: bigint;
  /** Entries yielded before the break. */
  readonly entries: number;
} & ({ readonly kind: 'unreadable' | 'null' | 'limit' } | { readonly kind: 'loop'; readonly next: bigint });

export interface ListWalk {
  /** Most entries walked; a longer list is smear or a loop. */
  readonly limit: number;
  readonly warn: Warn;
  /** The message and address of a break's warning, in the words of the list walked (its code is the same for every list). */
  readonly describe: (b: ListBreak) => Omit<RunWarning, 'code'>;
}

const BREAK_CODES: Readonly<Record<ListBreak['kind'], WarningCode>> = { unreadable: 'UNREADABLE', null: 'SMEAR', loop: 'SMEAR', limit: 'LIMIT' };

/**
 * The links of a circular doubly linked list (Windows LIST_ENTRY, Linux list_head: the forward pointer first),
 * `head` excluded, in forward order; callers subtract the link's offset in its structure. Stops at the head,
 * or with one warning at an unreadable or NULL pointer, at an entry seen before (a cycle) or after `limit`
 * entries.
 */
export async function* listLinks(layer: VirtualLayer, head: bigint, walk: ListWalk): AsyncGenerator<bigint> {
  const stop = (b: ListBreak) => walk.warn({ code: BREAK_CODES[b.kind], ...walk.describe(b) });
  const seen = new Set<bigint>([head]);
  let at = head;
  let next = await layer.readU64(head);
  while (next !== head) {
    const entries = seen.size - 1;
    if (next === null) return stop({ kind: 'unreadable', at, entries });
    if (next === 0n) return stop({ kind: 'null', at, entries });
    if (seen.has(next)) return stop({ kind: 'loop', at, next, entries });
    if (seen.size > walk.limit) return stop({ kind: 'limit', at, entries });
    seen.add(next);
    yield next;
    at = next;
    next = await layer.readU64(at);
  }
}
