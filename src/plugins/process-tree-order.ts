export interface TreeProcess {
  readonly pid: number;
  readonly ppid: number;
}

/**
 * Processes in pstree order: pre-order from the roots (processes whose parent is not listed), children by
 * ascending PID. With a filter, a subtree is shown when any of its processes passes it, and everything below a
 * passing process is shown. The first process per PID is used; PPID cycles (smear) cannot loop.
 */
export function* treeOrder<P extends TreeProcess>(
  processes: Iterable<P>,
  wanted: (p: P) => boolean,
  signal?: AbortSignal,
): Generator<{ process: P; depth: number }> {
  const byPid = new Map<number, P>();
  for (const p of processes) if (!byPid.has(p.pid)) byPid.set(p.pid, p);
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  for (const p of byPid.values()) {
    if (p.ppid !== p.pid && byPid.has(p.ppid)) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
    else roots.push(p.pid);
  }
  const inFilteredTree = (pid: number, seen = new Set<number>()): boolean => {
    if (wanted(byPid.get(pid)!)) return true;
    seen.add(pid);
    return (children.get(pid) ?? []).some((c) => !seen.has(c) && inFilteredTree(c, seen));
  };
  const emitted = new Set<number>();
  const stack = roots.map((pid) => ({ pid, depth: 0, descendant: false })).reverse();
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const { pid, depth, descendant } = stack.pop()!;
    if (emitted.has(pid)) continue;
    emitted.add(pid);
    if (!descendant && !inFilteredTree(pid)) continue;
    const process = byPid.get(pid)!;
    yield { process, depth };
    const kids = [...(children.get(pid) ?? [])].sort((a, b) => b - a);
    for (const c of kids) stack.push({ pid: c, depth: depth + 1, descendant: descendant || wanted(process) });
  }
}
