import { hex } from '../../io/hex.ts';
import type { OpenFile } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import type { TaskRecord } from './task.ts';

/** Far above any real RLIMIT_NOFILE (the kernel's own fs.nr_open default is 1 << 20); larger tables are smear. */
export const MAX_FDS = 1 << 20;
const PAGE = 4096;
const SLOT = 8;

/**
 * A task's open files: task->files->fdt->fd[0 .. max_fds), non-NULL slots only. The array is read a page at
 * a time, so an unmapped page loses only its own descriptors (counted in one warning); max_fds is capped.
 */
export async function* openFiles(kernel: LinuxKernel, task: TaskRecord, warn: Warn): AsyncGenerator<OpenFile> {
  const who = `PID ${task.pid} (${task.comm})`;
  const files = task.view.u64('files');
  if (files === 0n) return;
  const filesStruct = await kernel.readStruct('files_struct', files);
  const fdt = filesStruct && (await kernel.readStruct('fdtable', filesStruct.u64('fdt')));
  if (!fdt) {
    warn({ code: 'UNREADABLE', message: `${who}: file descriptor table not readable`, address: hex(filesStruct?.u64('fdt') ?? files) });
    return;
  }
  let count = fdt.u32('max_fds');
  if (count > MAX_FDS) {
    warn({
      code: 'LIMIT',
      message: `${who}: file descriptor table claims ${count} slots; only the first ${MAX_FDS} are read`,
      address: hex(fdt.address),
    });
    count = MAX_FDS;
  }
  const array = fdt.u64('fd');
  if (array % BigInt(SLOT) !== 0n) {
    warn({ code: 'SMEAR', message: `${who}: file descriptor array ${hex(array)} is misaligned; not read`, address: hex(fdt.address) });
    return;
  }
  let unreadable = 0;
  for (let fd = 0; fd < count;) {
    const at = array + BigInt(fd * SLOT);
    const slots = Math.min(count - fd, (PAGE - Number(at % BigInt(PAGE))) / SLOT);
    const bytes = await kernel.vm.read(at, slots * SLOT);
    if (bytes) {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < slots; i++) {
        const file = dv.getBigUint64(i * SLOT, true);
        if (file !== 0n) yield { fd: fd + i, file };
      }
    } else unreadable += slots;
    fd += slots;
  }
  if (unreadable) warn({ code: 'UNREADABLE', message: `${who}: ${unreadable} of ${count} file descriptor slots not readable`, address: hex(array) });
}
