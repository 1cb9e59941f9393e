import { MemscopeError } from '../../errors.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { readTask, type TaskRecord } from './task.ts';
import { xarrayEntries } from './xarray.ts';

/**
 * Every task with a PID in the initial PID namespace's IDR (init_pid_ns.idr, 4.15+): each struct pid the tree holds,
 * then the task on its tasks[PIDTYPE_PID] list — the kernel's own lookup table, so a task unlinked from the task
 * list still shows. Sorted by PID and TID; tasks whose parent is unreadable are left out (Volatility 3's check).
 */
export async function pidHashTasks(kernel: LinuxKernel, warn: Warn): Promise<TaskRecord[]> {
  const layout = kernel.layout;
  if (!layout.has('pid_namespace', 'idr')) {
    throw new MemscopeError('UNSUPPORTED', 'this kernel has no PID IDR (kernels before 4.15 keep a pid_hash): not supported yet', kernel.tableName);
  }
  const pidType = kernel.symbols.enumeration('pid_type')?.constants.get('PIDTYPE_PID') ?? 0n;
  const hlistAt = BigInt(layout.offset('pid', 'tasks') + Number(pidType) * layout.size('hlist_head'));
  const links = BigInt(layout.offset('task_struct', layout.has('task_struct', 'pid_links') ? 'pid_links' : 'pids'));
  const idr = kernel.symbolAddress('init_pid_ns') + BigInt(layout.offset('pid_namespace', 'idr') + layout.offset('idr', 'idr_rt'));
  const tasks: TaskRecord[] = [];
  const seen = new Set<bigint>();
  for await (const { entry: pid } of xarrayEntries(kernel, idr, 'the PID IDR (init_pid_ns)', warn)) {
    const first = await kernel.vm.readU64(pid + hlistAt);
    if (!first) continue;
    const address = first - links;
    if (seen.has(address)) continue;
    seen.add(address);
    const task = await readTask(kernel, address);
    if (!task || task.tid <= 0 || (await kernel.vm.readU64(task.view.u64('parent'))) === null) continue;
    tasks.push(task);
  }
  return tasks.sort((a, b) => a.pid - b.pid || a.tid - b.tid);
}
