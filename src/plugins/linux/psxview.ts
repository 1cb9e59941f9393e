import type { LinuxKernelContext, PluginDefinition } from '../api.ts';

const VIEWS = ['pslist', 'pid_hash', 'psscan'] as const;
type View = (typeof VIEWS)[number];

interface Seen {
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  exitState: string;
  readonly in: Set<View>;
}

/** A carved task's name is the kernel's comm: printable text. Garbage that happens to pass psscan's checks is not. */
const PLAUSIBLE_COMM = /^[\x20-\x7e]{1,15}$/;

/**
 * memscope's own (Volatility 3 has none for Linux): one row per task_struct (by physical address) seen by any of
 * the task list (threads included), the PID IDR and the physical-memory scan, in the order first seen. A task on
 * the IDR or found by the scan but not on the list has been unlinked (hidden) — or has exited (EXIT_STATE says).
 */
export const psxview: PluginDefinition = {
  name: 'linux.psxview',
  description:
    'Cross-views the tasks: the task list, the PID lookup table (IDR) and the physical-memory scan; a task missing from the list is hidden or exited.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'OFFSET (P)', type: 'hex', address: 'physical' },
    { name: 'COMM', type: 'str' },
    { name: 'PID', type: 'int' },
    { name: 'TID', type: 'int' },
    { name: 'pslist', type: 'bool' },
    { name: 'pid_hash', type: 'bool' },
    { name: 'psscan', type: 'bool' },
    { name: 'EXIT_STATE', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const seen = new Map<number, Seen>();
    const add = (view: View, physical: number | null, task: { pid: number; tid: number; comm: string }, exitState?: string) => {
      if (physical === null) return;
      const entry = seen.get(physical) ?? { pid: task.pid, tid: task.tid, comm: task.comm, exitState: 'TASK_RUNNING', in: new Set<View>() };
      entry.in.add(view);
      if (exitState) entry.exitState = exitState;
      seen.set(physical, entry);
    };
    for await (const t of linux.tasks({ threads: true })) add('pslist', await physicalOf(linux, t.address), t);
    for await (const t of linux.pidHashTasks()) add('pid_hash', await physicalOf(linux, t.address), t);
    for await (const t of linux.scanTasks()) {
      ctx.signal?.throwIfAborted();
      if (PLAUSIBLE_COMM.test(t.comm)) add('psscan', t.physical, t, t.exitState);
    }
    for (const [physical, s] of seen) {
      yield { depth: 0, values: [physical, s.comm, s.pid, s.tid, ...VIEWS.map((v) => s.in.has(v)), s.exitState] };
    }
  },
};

function physicalOf(linux: LinuxKernelContext, address: bigint): Promise<number | null> {
  return linux.vm.translate(address);
}
