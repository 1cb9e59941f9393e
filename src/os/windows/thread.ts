import { hex } from '../../io/hex.ts';
import type { StructReader } from '../../plugins/api/memory.ts';
import type { WindowsProcess, WindowsThread } from '../../plugins/api/windows.ts';
import type { ScanService } from '../../engine/scan-service.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { namedListLinks } from '../list-walk.ts';
import { filetimeToIso } from './filetime.ts';
import { objectTypeIndex } from './object-header.ts';
import { scanPoolObjects, type PoolObjectKind, type ScanProgress } from './pool-scan.ts';
import { poolTags } from './pool-tag-index.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { WindowsThread };

/** More threads than any real process has; a longer list is smear or a loop. */
export const MAX_THREADS = 65536;
const MAX_ID = 0xffffffff;
const SYSTEM_PID = 4;

/** 'Thre' allocations (Windows 8+; 'Thr\xe5' before) whose object header says Thread. */
const THREAD_KIND: PoolObjectKind = {
  tags: poolTags('Thre'),
  struct: '_ETHREAD',
  what: 'thread',
  typeIndex: (kernel) => objectTypeIndex(kernel, 'Thread'),
};

export function threadFromView(view: StructReader, offset: bigint | null, physical: number | null): WindowsThread {
  return {
    view,
    offset,
    physical,
    pid: Number(view.u64('Cid.UniqueProcess') & BigInt(MAX_ID)),
    tid: Number(view.u64('Cid.UniqueThread') & BigInt(MAX_ID)),
    process: view.u64('Tcb.Process'),
    startAddress: view.u64('StartAddress'),
    win32StartAddress: view.u64('Win32StartAddress'),
    createTime: filetimeToIso(view.u64('CreateTime')),
    exitTime: filetimeToIso(view.u64('ExitTime')),
  };
}

/** Volatility 3's _ETHREAD.is_valid: TID and PID multiples of 4, a creation time in 1999..2029 (but for System's threads). */
export function looksLikeThread(t: WindowsThread): boolean {
  if (t.tid % 4 !== 0 || t.pid % 4 !== 0) return false;
  if (t.pid === SYSTEM_PID) return true;
  if (!t.createTime) return false;
  const year = new Date(t.createTime).getUTCFullYear();
  return year > 1998 && year < 2030;
}

/**
 * The process's threads: _EPROCESS.ThreadListHead → _ETHREAD.ThreadListEntry in Flink order (what Volatility 3's
 * windows.threads walks), bounded (MAX_THREADS) and cycle-guarded with one warning where the walk breaks.
 */
export async function* processThreads(kernel: WindowsKernel, process: WindowsProcess, warn: Warn): AsyncGenerator<WindowsThread> {
  if (process.offset === null) return;
  const head = process.offset + BigInt(kernel.layout.offset('_EPROCESS', 'ThreadListHead'));
  const entryOffset = BigInt(kernel.layout.offset('_ETHREAD', 'ThreadListEntry'));
  for await (const link of namedListLinks(kernel.vm, head, 'thread list (ThreadListHead)', warn, MAX_THREADS)) {
    const address = link - entryOffset;
    const view = await kernel.readStruct('_ETHREAD', address);
    if (!view) {
      warn({ code: 'UNREADABLE', message: '_ETHREAD not readable: thread list truncated', address: hex(address) });
      return;
    }
    yield threadFromView(view, address, await kernel.vm.translate(address));
  }
}

/** Pool-tag scan of physical memory for _ETHREAD allocations, validated as Volatility does: threads of exited and unlinked processes too. */
export async function* scanThreads(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<WindowsThread> {
  for await (const o of scanPoolObjects(kernel, scanner, warn, THREAD_KIND, control)) {
    const t = threadFromView(o.view, o.offset, o.physical);
    if (looksLikeThread(t)) yield t;
  }
}
