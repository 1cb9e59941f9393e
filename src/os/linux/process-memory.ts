import { MemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { describeFile } from './file-info.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listTasks, type TaskRecord } from './task.ts';

/** /proc caps what it shows of argv/envp far below this; a larger range is smear. */
const MAX_AREA = 256 * 1024;
const utf8 = new TextDecoder('utf-8');

/** The executable's path (mm->exe_file, as /proc/<pid>/exe); null for kernel threads or when unreadable. */
export async function executablePath(kernel: LinuxKernel, task: TaskRecord, warn: Warn): Promise<string | null> {
  if (task.mm === 0n) return null;
  const mm = await kernel.readStruct('mm_struct', task.mm);
  const file = mm?.has('exe_file') ? mm.u64('exe_file') : 0n;
  return file === 0n ? null : ((await describeFile(kernel, file, warn))?.path ?? null);
}

/**
 * The user address space of the process `pid` (its mm->pgd), to read its memory: BAD_REQUEST when no process
 * has that PID or it has none (a kernel thread, a process whose memory is released), CORRUPT when unreadable.
 */
export async function userAddressSpace(kernel: LinuxKernel, pid: number): Promise<VirtualLayer> {
  const task = await findProcess(kernel, pid);
  if (!task) throw new MemscopeError('BAD_REQUEST', `no process with PID ${pid} in the task list`);
  const who = `PID ${pid} (${task.comm})`;
  if (task.mm === 0n) {
    throw new MemscopeError(
      'BAD_REQUEST',
      `${who} has no user address space: ${task.kernelThread ? 'it is a kernel thread' : 'its memory is already released'}`,
    );
  }
  const mm = await kernel.readStruct('mm_struct', task.mm);
  const layer = mm && (await kernel.processLayer(mm.u64('pgd')));
  if (!layer) throw new MemscopeError('CORRUPT', `the page tables of ${who} are not readable in this image`);
  return layer;
}

async function findProcess(kernel: LinuxKernel, pid: number): Promise<TaskRecord | undefined> {
  // A broken list shows as "no process with PID": a memory read has nowhere to put walk warnings.
  for await (const task of listTasks(kernel, () => undefined)) if (task.pid === pid) return task;
  return undefined;
}

/** argv from the process's memory (mm->arg_start..arg_end); null when a kernel thread or unreadable. */
export async function readArgv(kernel: LinuxKernel, task: TaskRecord): Promise<string[] | null> {
  return readStrings(kernel, task, 'arg_start', 'arg_end');
}

/** The environment as (key, value) pairs (mm->env_start..env_end); null when a kernel thread or unreadable. */
export async function readEnvironment(kernel: LinuxKernel, task: TaskRecord): Promise<[string, string][] | null> {
  const strings = await readStrings(kernel, task, 'env_start', 'env_end');
  return strings && strings.filter((s) => s.length > 0).map((s) => splitVariable(s));
}

function splitVariable(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

async function readStrings(kernel: LinuxKernel, task: TaskRecord, startField: string, endField: string): Promise<string[] | null> {
  if (task.mm === 0n) return null;
  const mm = await kernel.readStruct('mm_struct', task.mm);
  if (!mm) return null;
  const start = mm.u64(startField);
  const end = mm.u64(endField);
  if (end <= start || end - start > BigInt(MAX_AREA)) return end === start ? [] : null;
  const layer = await kernel.processLayer(mm.u64('pgd'));
  const bytes = layer && (await layer.read(start, Number(end - start)));
  if (!bytes) return null;
  const text = utf8.decode(bytes[bytes.length - 1] === 0 ? bytes.subarray(0, -1) : bytes);
  return text.split('\0');
}
