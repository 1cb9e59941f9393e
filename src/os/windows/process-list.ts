import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { listLinks, type ListBreak } from '../list-walk.ts';
import { processFromView, type WindowsProcess } from './process.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** No real system has more; a longer walk is smear or a loop. */
export const MAX_PROCESSES = 65536;

/**
 * Walks PsActiveProcessHead → _EPROCESS.ActiveProcessLinks in Flink order with the shared walker. Stops at the
 * head, at a repeated entry (cycle), a NULL link or an unreadable entry, with a warning for anything but the head:
 * its address is the _EPROCESS concerned (the one whose Flink loops, the one not readable).
 */
export async function* activeProcesses(kernel: WindowsKernel, warn: Warn): AsyncGenerator<WindowsProcess> {
  const head = kernel.symbolAddress('PsActiveProcessHead');
  const linksOffset = BigInt(kernel.layout.offset('_EPROCESS', 'ActiveProcessLinks'));
  const describe = (b: ListBreak) => ({ message: breakMessage(b), address: hex(b.kind === 'unreadable' ? head : b.at - linksOffset) });
  for await (const link of listLinks(kernel.vm, head, { limit: MAX_PROCESSES, warn, describe })) {
    const address = link - linksOffset;
    const view = await kernel.readStruct('_EPROCESS', address);
    if (!view) {
      warn({ code: 'UNREADABLE', message: '_EPROCESS not readable: process list truncated', address: hex(address) });
      return;
    }
    yield processFromView(view, address, await kernel.vm.translate(address));
  }
}

function breakMessage(b: ListBreak): string {
  switch (b.kind) {
    case 'unreadable': // only the head's Flink: every later one lies inside the _EPROCESS read before it
      return 'PsActiveProcessHead is not readable: the process list is empty';
    case 'null':
      return 'process list link is NULL: walk stopped';
    case 'loop':
      return `process list loops back to ${hex(b.next)}: walk stopped`;
    case 'limit':
      return `process list longer than ${MAX_PROCESSES} entries: walk stopped`;
  }
}

/** The address space of the listed process `pid` (its DirectoryTableBase), to read its memory; BAD_REQUEST when none has that PID. */
export async function processAddressSpace(kernel: WindowsKernel, pid: number): Promise<VirtualLayer> {
  // A broken list shows as "no process with PID": a memory read has nowhere to put walk warnings.
  for await (const p of activeProcesses(kernel, () => undefined)) if (p.pid === pid) return kernel.processLayer(p.dtb);
  throw new MemscopeError('BAD_REQUEST', `no process with PID ${pid} in the active process list`);
}
