import { MemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { processFromView, type WindowsProcess } from './process.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** No real system has more; a longer walk is smear or a loop. */
export const MAX_PROCESSES = 65536;

/**
 * Walks PsActiveProcessHead → _EPROCESS.ActiveProcessLinks in Flink order. Stops at the head, at a
 * repeated entry (cycle) or an unreadable one, with a warning for anything but the head.
 */
export async function* activeProcesses(kernel: WindowsKernel, warn: (msg: string) => void): AsyncGenerator<WindowsProcess> {
  const head = kernel.symbolAddress('PsActiveProcessHead');
  const linksOffset = BigInt(kernel.layout.offset('_EPROCESS', 'ActiveProcessLinks'));
  const seen = new Set<bigint>([head]);
  let entry = await kernel.vm.readU64(head);
  if (entry === null) {
    warn(`PsActiveProcessHead at 0x${head.toString(16)} is not readable: the process list is empty`);
    return;
  }
  while (entry !== head) {
    if (seen.has(entry)) {
      warn(`process list loops back to 0x${entry.toString(16)}: walk stopped`);
      return;
    }
    if (seen.size > MAX_PROCESSES) {
      warn(`process list longer than ${MAX_PROCESSES} entries: walk stopped`);
      return;
    }
    seen.add(entry);
    const address = entry - linksOffset;
    const view = await kernel.readStruct('_EPROCESS', address);
    if (!view) {
      warn(`_EPROCESS at 0x${address.toString(16)} is not readable: process list truncated`);
      return;
    }
    yield processFromView(view, address, await kernel.vm.translate(address));
    entry = view.u64('ActiveProcessLinks.Flink');
  }
}

/** The address space of the listed process `pid` (its DirectoryTableBase), to read its memory; BAD_REQUEST when none has that PID. */
export async function processAddressSpace(kernel: WindowsKernel, pid: number): Promise<VirtualLayer> {
  // A broken list shows as "no process with PID": a memory read has nowhere to put walk warnings.
  for await (const p of activeProcesses(kernel, () => undefined)) if (p.pid === pid) return kernel.processLayer(p.dtb);
  throw new MemscopeError('BAD_REQUEST', `no process with PID ${pid} in the active process list`);
}
