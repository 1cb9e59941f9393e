import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { processFromView, type WindowsProcess } from './process.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** No real system has more; a longer walk is smear or a loop. */
export const MAX_PROCESSES = 65536;

/**
 * Walks PsActiveProcessHead → _EPROCESS.ActiveProcessLinks in Flink order. Stops at the head, at a
 * repeated entry (cycle) or an unreadable one, with a warning for anything but the head: its address is the
 * _EPROCESS concerned (the one whose Flink loops, the one not readable).
 */
export async function* activeProcesses(kernel: WindowsKernel, warn: Warn): AsyncGenerator<WindowsProcess> {
  const head = kernel.symbolAddress('PsActiveProcessHead');
  const linksOffset = BigInt(kernel.layout.offset('_EPROCESS', 'ActiveProcessLinks'));
  const seen = new Set<bigint>([head]);
  let entry = await kernel.vm.readU64(head);
  if (entry === null) {
    warn({ code: 'UNREADABLE', message: 'PsActiveProcessHead is not readable: the process list is empty', address: hex(head) });
    return;
  }
  // The list entry `entry` was read from: the head, then each process's ActiveProcessLinks.
  let from = head;
  while (entry !== head) {
    if (seen.has(entry)) {
      warn({ code: 'SMEAR', message: `process list loops back to ${hex(entry)}: walk stopped`, address: hex(from - linksOffset) });
      return;
    }
    if (seen.size > MAX_PROCESSES) {
      warn({ code: 'LIMIT', message: `process list longer than ${MAX_PROCESSES} entries: walk stopped`, address: hex(from - linksOffset) });
      return;
    }
    seen.add(entry);
    const address = entry - linksOffset;
    const view = await kernel.readStruct('_EPROCESS', address);
    if (!view) {
      warn({ code: 'UNREADABLE', message: '_EPROCESS not readable: process list truncated', address: hex(address) });
      return;
    }
    yield processFromView(view, address, await kernel.vm.translate(address));
    from = entry;
    entry = view.u64('ActiveProcessLinks.Flink');
  }
}

/** The address space of the listed process `pid` (its DirectoryTableBase), to read its memory; BAD_REQUEST when none has that PID. */
export async function processAddressSpace(kernel: WindowsKernel, pid: number): Promise<VirtualLayer> {
  // A broken list shows as "no process with PID": a memory read has nowhere to put walk warnings.
  for await (const p of activeProcesses(kernel, () => undefined)) if (p.pid === pid) return kernel.processLayer(p.dtb);
  throw new MemscopeError('BAD_REQUEST', `no process with PID ${pid} in the active process list`);
}
