import type { LinuxKernel } from './linux-kernel.ts';
import type { LinuxTask } from './task.ts';

/** Far above any real RLIMIT_NOFILE in use; larger tables are read up to here with a warning. */
const MAX_FDS = 1 << 16;

export interface OpenFile {
  readonly fd: number;
  /** Address of the struct file. */
  readonly file: bigint;
}

/** A task's open files: task->files->fdt->fd[0 .. max_fds). */
export async function* openFiles(kernel: LinuxKernel, task: LinuxTask, warn: (m: string) => void): AsyncGenerator<OpenFile> {
  const files = task.view.u64('files');
  if (files === 0n) return;
  const filesStruct = await kernel.readStruct('files_struct', files);
  const fdt = filesStruct && (await kernel.readStruct('fdtable', filesStruct.u64('fdt')));
  if (!fdt) {
    warn(`PID ${task.pid} (${task.comm}): file table not readable`);
    return;
  }
  let count = fdt.u32('max_fds');
  if (count > MAX_FDS) {
    warn(`PID ${task.pid} (${task.comm}): file table claims ${count} slots; the first ${MAX_FDS} are read`);
    count = MAX_FDS;
  }
  const slots = await kernel.vm.read(fdt.u64('fd'), count * 8);
  if (!slots) {
    warn(`PID ${task.pid} (${task.comm}): file descriptor array not readable`);
    return;
  }
  const dv = new DataView(slots.buffer, slots.byteOffset, slots.byteLength);
  for (let fd = 0; fd < count; fd++) {
    const file = dv.getBigUint64(fd * 8, true);
    if (file !== 0n) yield { fd, file };
  }
}
