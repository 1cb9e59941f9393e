import type { PluginDefinition, RunSignal, WindowsKernelContext, WindowsProcess } from '../api.ts';

const VIEWS = ['pslist', 'psscan', 'thrdscan', 'csrss', 'session'] as const;
type View = (typeof VIEWS)[number];

/** One process as the views saw it, keyed by its offset. */
interface Seen {
  readonly process: WindowsProcess;
  readonly in: Set<View>;
}

/** Most processes walked on one session's ProcessList (as on the active list); a longer list is smear or a loop. */
const MAX_SESSION_PROCESSES = 65536;

/**
 * Volatility 3's windows.psxview: one row per process (by offset) seen by any view, in the order first seen. Each view
 * keeps only processes that pass the scan's checks; unlike Volatility 3 (2.11), names are not restricted to letters,
 * '.' and ' ' — that filter drops 'svch0st.exe' or 'python3.exe' from every view, hiding exactly what this plugin is for.
 * memscope adds a view Volatility 3 lacks (Volatility 2 had it): `session`, the processes on the ProcessList of each
 * session (_MM_SESSION_SPACE) a live process points at — a process unlinked from the active list usually stays there.
 */
export const psxview: PluginDefinition = {
  name: 'windows.psxview',
  description:
    'Cross-views the processes: the active list, the pool scan, the threads’ owners, csrss.exe’s handles and (added by memscope) the session lists.',
  version: '2.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: (options) => [
    {
      name: options['physical-offsets'] ? 'Offset(Physical)' : 'Offset(Virtual)',
      type: 'hex',
      address: options['physical-offsets'] ? 'physical' : 'kernel',
    },
    { name: 'Name', type: 'str' },
    { name: 'PID', type: 'int' },
    { name: 'pslist', type: 'bool' },
    { name: 'psscan', type: 'bool' },
    { name: 'thrdscan', type: 'bool' },
    { name: 'csrss', type: 'bool' },
    { name: 'session', type: 'bool' },
    { name: 'Exit Time', type: 'str' },
  ],
  options: [
    { name: 'physical-offsets', type: 'bool', description: 'List processes with physical offsets instead of virtual offsets.', default: false },
  ],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const physical = ctx.options['physical-offsets'] === true;
    const seen = new Map<bigint, Seen>();
    const add = (view: View, p: WindowsProcess | null) => {
      const key = p && (physical ? (p.physical === null ? null : BigInt(p.physical)) : p.offset);
      if (key === null || key === undefined) return;
      const entry = seen.get(key) ?? { process: p!, in: new Set<View>() };
      entry.in.add(view);
      seen.set(key, entry);
    };
    const listed: WindowsProcess[] = [];
    for await (const p of kernel.processes()) {
      listed.push(p);
      // Only what passes the scan's checks, as Volatility 3 filters every view.
      if (p.offset !== null) add('pslist', await kernel.processAt(p.offset));
    }
    for await (const p of kernel.scanProcesses()) add('psscan', p);
    const owners = new Map<bigint, WindowsProcess | null>();
    for await (const t of kernel.scanThreads()) {
      if (!owners.has(t.process)) owners.set(t.process, await kernel.processAt(t.process));
      add('thrdscan', owners.get(t.process)!);
    }
    for (const p of listed) if (p.name === 'csrss.exe') for (const o of await csrssProcesses(kernel, p)) add('csrss', o);
    const live = [...seen.values()].map((s) => s.process).filter((p) => p.exitTime === null);
    for (const o of await sessionProcesses(kernel, live, ctx.signal)) add('session', o);
    for (const { process: p, in: views } of seen.values()) {
      const offset = physical ? (p.physical === null ? null : BigInt(p.physical)) : p.offset;
      yield { depth: 0, values: [offset, p.name, p.pid, ...VIEWS.map((v) => views.has(v)), exitTime(p.exitTime)] };
    }
  },
};

/** The processes csrss.exe holds Process handles to. */
async function csrssProcesses(kernel: WindowsKernelContext, csrss: WindowsProcess): Promise<WindowsProcess[]> {
  const out: WindowsProcess[] = [];
  for await (const h of kernel.handles(csrss)) {
    if (h.type !== 'Process') continue;
    const p = await kernel.processAt(h.object);
    if (p) out.push(p);
  }
  return out;
}

/**
 * The processes on the ProcessList of every session (_MM_SESSION_SPACE) the given processes point at, each session
 * walked once (bounded and cycle-guarded). Exited processes are not asked: their session may be gone.
 */
async function sessionProcesses(kernel: WindowsKernelContext, processes: readonly WindowsProcess[], signal?: RunSignal): Promise<WindowsProcess[]> {
  const out: WindowsProcess[] = [];
  const sessions = new Set(processes.map((p) => p.view.u64('Session')).filter((s) => s !== 0n));
  if (sessions.size === 0) return out;
  const list = BigInt(kernel.fieldOffset('_MM_SESSION_SPACE', 'ProcessList'));
  const id = BigInt(kernel.fieldOffset('_MM_SESSION_SPACE', 'SessionId'));
  const links = BigInt(kernel.fieldOffset('_EPROCESS', 'SessionProcessLinks'));
  for (const session of sessions) {
    const what = `session ${(await kernel.vm.readU32(session + id)) ?? '?'} process list (_MM_SESSION_SPACE.ProcessList)`;
    for await (const link of kernel.listEntries(session + list, { what, limit: MAX_SESSION_PROCESSES })) {
      signal?.throwIfAborted();
      const p = await kernel.processAt(link - links);
      if (p) out.push(p);
    }
  }
  return out;
}

/** As Volatility 3 prints it (str of a datetime: "2023-01-02 03:04:05+00:00"), "" when unset. */
function exitTime(iso: string | null): string {
  return iso === null ? '' : iso.replace('T', ' ');
}
