import { hex } from '../../io/hex.ts';
import type { LinuxTask } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** include/linux/sched.h: set for kernel threads since 2.6. */
const PF_KTHREAD = 0x00200000;
/** /proc's one-letter states by highest set bit of TASK_REPORT (fs/proc/array.c task_state_index). */
const STATE_LETTERS = ['S', 'D', 'T', 't', 'X', 'Z', 'P', 'I'] as const;
const TASK_IDLE = 0x402;

/** A task as the task list reads it: the published LinuxTask but its creation date, which needs the boot time (LinuxRunContext adds it). */
export type TaskRecord = Omit<LinuxTask, 'createTime'>;

/**
 * Thread-group leaders in init_task.tasks order (init_task itself, PID 0, excluded as ps does), each
 * followed by its other threads when `threads` is set. Cycle, length and smear guarded.
 */
export async function* listTasks(kernel: LinuxKernel, warn: Warn, threads = false): AsyncGenerator<TaskRecord> {
  const init = kernel.symbolAddress('init_task');
  const tasksOffset = BigInt(kernel.layout.offset('task_struct', 'tasks'));
  for await (const link of listEntries(kernel, init + tasksOffset, 'task list (init_task.tasks)', warn)) {
    const task = await readTask(kernel, link - tasksOffset);
    if (!task) {
      warn({ code: 'UNREADABLE', message: 'task_struct not readable: task list truncated', address: hex(link - tasksOffset) });
      return;
    }
    yield task;
    if (threads) yield* threadsOf(kernel, task, warn);
  }
}

/** The other threads of a thread-group leader (signal->thread_head, or thread_group on old kernels). */
async function* threadsOf(kernel: LinuxKernel, leader: TaskRecord, warn: Warn): AsyncGenerator<TaskRecord> {
  const layout = kernel.layout;
  let head: bigint;
  let member: bigint;
  if (layout.has('signal_struct', 'thread_head') && layout.has('task_struct', 'thread_node')) {
    const signal = leader.view.u64('signal');
    if (signal === 0n) return;
    head = signal + BigInt(layout.offset('signal_struct', 'thread_head'));
    member = BigInt(layout.offset('task_struct', 'thread_node'));
  } else {
    head = leader.view.addressOf('thread_group');
    member = BigInt(layout.offset('task_struct', 'thread_group'));
  }
  for await (const link of listEntries(kernel, head, `threads of PID ${leader.pid}`, warn)) {
    if (link - member === leader.address) continue;
    const task = await readTask(kernel, link - member);
    if (!task) return warn({ code: 'UNREADABLE', message: `a thread of PID ${leader.pid} is not readable`, address: hex(link - member) });
    yield task;
  }
}

export async function readTask(kernel: LinuxKernel, address: bigint): Promise<TaskRecord | null> {
  const view = await kernel.readStruct('task_struct', address);
  if (!view) return null;
  const layout = kernel.layout;
  const parent = view.u64('real_parent');
  const ppid = parent === 0n || parent === address ? 0 : await kernel.vm.readU32(parent + BigInt(layout.offset('task_struct', 'tgid')));
  const creds = await readCreds(kernel, view.u64('cred'));
  return {
    address,
    pid: view.u32('tgid'),
    tid: view.u32('pid'),
    ppid: ppid ?? 0,
    comm: cString(view.raw('comm')),
    ...creds,
    kernelThread: (view.u32('flags') & PF_KTHREAD) !== 0,
    state: stateLetter(view),
    mm: view.u64('mm'),
    startBootNs: view.has('start_boottime') ? view.u64('start_boottime') : view.has('real_start_time') ? view.u64('real_start_time') : null,
    view,
  };
}

async function readCreds(kernel: LinuxKernel, cred: bigint): Promise<Pick<TaskRecord, 'uid' | 'gid' | 'euid' | 'egid'>> {
  const view = cred === 0n ? null : await kernel.readStruct('cred', cred);
  const id = (path: string): number | null => (view ? view.u32(path) : null);
  return { uid: id('uid.val'), gid: id('gid.val'), euid: id('euid.val'), egid: id('egid.val') };
}

function stateLetter(view: StructView): string {
  const state = view.has('__state') ? view.u32('__state') : Number(view.u64('state') & 0xffffffffn);
  const exit = view.has('exit_state') ? view.u32('exit_state') : 0;
  if (state === TASK_IDLE) return 'I';
  const bits = (state | exit) & 0x7f;
  if (bits === 0) return 'R';
  return STATE_LETTERS[31 - Math.clz32(bits)] ?? '?';
}
