import type { RunSignal } from '../api.ts';

export interface TreeProcess {
  readonly pid: number;
  readonly ppid: number;
}

/** A process at its place in the tree; `parent` indexes the pre-order list, -1 for a root. */
interface Placed<P> {
  readonly process: P;
  readonly depth: number;
  readonly parent: number;
}

/**
 * Processes in pstree order: pre-order from the roots (processes whose parent is not listed or is themselves,
 * in the order they are listed), children by ascending PID. With a filter, a subtree is shown when any of its
 * processes passes it, and everything below a passing process is shown. The first process per PID is used.
 * Processes only reachable through a PPID cycle (smear, PID reuse) are not dropped: each such cycle follows the
 * rooted trees as one more tree, rooted at the cycle's lowest PID (the link back to it is ignored), in the
 * order their first process is listed. Iterative and O(n log n), so deep chains and wide fans are fine.
 */
export function* treeOrder<P extends TreeProcess>(
  processes: Iterable<P>,
  wanted: (p: P) => boolean,
  signal?: RunSignal,
): Generator<{ process: P; depth: number }> {
  const order = preOrder(processes);
  const passes = order.map((n) => wanted(n.process));
  // Bottom-up: children follow their parent in pre-order, so a reverse sweep sees every child first.
  const subtreePasses = [...passes];
  for (let i = order.length - 1; i >= 0; i--) if (subtreePasses[i] && order[i]!.parent >= 0) subtreePasses[order[i]!.parent] = true;
  // Top-down: whether a process or one of its ancestors passes, which shows everything below it.
  const selfOrAncestorPasses: boolean[] = [];
  for (let i = 0; i < order.length; i++) {
    signal?.throwIfAborted();
    const { process, depth, parent } = order[i]!;
    const ancestorPasses = parent >= 0 && selfOrAncestorPasses[parent]!;
    selfOrAncestorPasses.push(passes[i]! || ancestorPasses);
    if (subtreePasses[i] || ancestorPasses) yield { process, depth };
  }
}

function preOrder<P extends TreeProcess>(processes: Iterable<P>): Placed<P>[] {
  const byPid = new Map<number, P>();
  for (const p of processes) if (!byPid.has(p.pid)) byPid.set(p.pid, p);
  const isRoot = (p: P) => p.ppid === p.pid || !byPid.has(p.ppid);
  const children = new Map<number, number[]>();
  for (const p of byPid.values()) {
    if (isRoot(p)) continue;
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => a - b);

  const order: Placed<P>[] = [];
  const placed = new Set<number>();
  const walk = (root: number) => {
    const stack = [{ pid: root, depth: 0, parent: -1 }];
    while (stack.length > 0) {
      const { pid, depth, parent } = stack.pop()!;
      placed.add(pid);
      const index = order.push({ process: byPid.get(pid)!, depth, parent }) - 1;
      const kids = children.get(pid) ?? [];
      // Only a cycle's root can already be placed: the cycle links back to it.
      for (let k = kids.length - 1; k >= 0; k--) if (!placed.has(kids[k]!)) stack.push({ pid: kids[k]!, depth: depth + 1, parent: index });
    }
  };
  for (const p of byPid.values()) if (isRoot(p)) walk(p.pid);
  for (const p of byPid.values()) if (!placed.has(p.pid)) walk(cycleRoot(p.pid, byPid));
  return order;
}

/** The lowest PID on the cycle above `pid`; every process not reachable from a root has one above it. */
function cycleRoot(pid: number, byPid: ReadonlyMap<number, TreeProcess>): number {
  const path: number[] = [];
  const seen = new Map<number, number>();
  let at = pid;
  while (!seen.has(at)) {
    seen.set(at, path.push(at) - 1);
    at = byPid.get(at)!.ppid;
  }
  return path.slice(seen.get(at)).reduce((a, b) => Math.min(a, b));
}
