import { hex } from '../io/hex.ts';
import type { VirtualMemory } from '../plugins/api/memory.ts';
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
export async function* listLinks(layer: VirtualMemory, head: bigint, walk: ListWalk): AsyncGenerator<bigint> {
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

/**
 * The nodes of a NULL-terminated Linux hlist (hlist_head at `head`, each hlist_node's `next` first), in order; callers
 * subtract the node's offset in its structure. NULL ends the list; an unreadable pointer, an entry seen before or
 * more than `limit` entries end it with one warning, as listLinks.
 */
export async function* hlistNodes(layer: VirtualMemory, head: bigint, walk: ListWalk): AsyncGenerator<bigint> {
  const stop = (b: ListBreak) => walk.warn({ code: BREAK_CODES[b.kind], ...walk.describe(b) });
  const seen = new Set<bigint>();
  let at = head;
  let next = await layer.readU64(head);
  while (next !== 0n) {
    const entries = seen.size;
    if (next === null) return stop({ kind: 'unreadable', at, entries });
    if (seen.has(next)) return stop({ kind: 'loop', at, next, entries });
    if (seen.size >= walk.limit) return stop({ kind: 'limit', at, entries });
    seen.add(next);
    yield next;
    at = next;
    next = await layer.readU64(at);
  }
}

/** No kernel list memscope walks is longer by default; a longer walk is smear or a loop. */
export const MAX_LIST_ENTRIES = 1 << 20;

/** listLinks with warnings in the default words, naming the list (`what`), at the link whose pointer ended the walk. */
export function namedListLinks(layer: VirtualMemory, head: bigint, what: string, warn: Warn, limit = MAX_LIST_ENTRIES): AsyncGenerator<bigint> {
  return listLinks(layer, head, namedWalk(what, warn, limit));
}

/** hlistNodes with warnings in the default words, as namedListLinks. */
export function namedHlistNodes(layer: VirtualMemory, head: bigint, what: string, warn: Warn, limit = MAX_LIST_ENTRIES): AsyncGenerator<bigint> {
  return hlistNodes(layer, head, namedWalk(what, warn, limit));
}

function namedWalk(what: string, warn: Warn, limit: number): ListWalk {
  return { limit, warn, describe: (b) => ({ message: listBreakMessage(what, limit, b), address: hex(b.at) }) };
}

/** The default words for a walk's break: `what` names the list ("task list (init_task.tasks)"). */
export function listBreakMessage(what: string, limit: number, b: ListBreak): string {
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
