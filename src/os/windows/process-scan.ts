import type { ScanService } from '../../engine/scan-service.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { filetimeToIso } from './filetime.ts';
import { decodeTypeIndex } from './object-header.ts';
import { scanPoolObjects, type PoolObjectKind, type ScanProgress } from './pool-scan.ts';
import { poolTags } from './pool-tag-index.ts';
import { looksLikeProcess, processFromView, type WindowsProcess } from './process.ts';
import { findExitTime, type CarvedProcess } from './symbol-free/exit-time-discovery.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { ScanProgress };

const PROCESS_OBJECT = 3;

/** 'Proc' allocations whose object header says Process (the type's index learned from the System process's own header). */
const PROCESS_KIND: PoolObjectKind = {
  tags: poolTags('Proc'),
  struct: '_EPROCESS',
  what: 'process',
  typeIndex: systemProcessTypeIndex,
};

/**
 * Pool-tag scan of physical memory for _EPROCESS allocations: finds processes unlinked from the active
 * list and ones that have exited but whose memory is not yet reused. Each hit is carved (pool header →
 * object header → body) and validated; Offset(V) comes from the kernel's own mapping of the page.
 */
export async function* scanProcesses(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<WindowsProcess> {
  const carved = carveProcesses(kernel, scanner, warn, control);
  if (kernel.layout.has('_EPROCESS', 'ExitTime')) yield* carved;
  else yield* withExitTimesFound(kernel, carved, warn);
}

async function* carveProcesses(kernel: WindowsKernel, scanner: ScanService, warn: Warn, control: ScanProgress): AsyncGenerator<WindowsProcess> {
  for await (const o of scanPoolObjects(kernel, scanner, warn, PROCESS_KIND, control)) {
    if (o.view.int('Pcb.Header.Type') !== PROCESS_OBJECT) continue;
    const p = processFromView(o.view, o.offset, o.physical);
    if (looksLikeProcess(p)) yield p;
  }
}

/**
 * A table found in the image without ExitTime (symbol-free/): the exited processes among the carved ones tell
 * where it is. The rows wait for the end of the scan.
 */
async function* withExitTimesFound(kernel: WindowsKernel, carved: AsyncIterable<WindowsProcess>, warn: Warn): AsyncGenerator<WindowsProcess> {
  const processes: WindowsProcess[] = [];
  for await (const p of carved) processes.push(p);
  const createTimeOffset = kernel.layout.offset('_EPROCESS', 'CreateTime');
  const searched = new Map<WindowsProcess, CarvedProcess>();
  for (const p of processes) if (p.offset !== null) searched.set(p, { address: p.offset, createTimeOffset, threads: p.threads });
  const found = await findExitTime(kernel.vm, [...searched.values()]);
  if (found.offset === null) {
    warn({ code: 'UNSUPPORTED', message: `_EPROCESS.ExitTime could not be found (${found.why}): exit times show as N/A` });
    yield* processes;
    return;
  }
  for (const p of processes) {
    const carvedProcess = searched.get(p);
    const time = carvedProcess && found.read(carvedProcess);
    yield time ? { ...p, exitTime: filetimeToIso(time) } : p;
  }
}

/** The Process type's index, from the System process's own object header. */
async function systemProcessTypeIndex(kernel: WindowsKernel): Promise<number | null> {
  if (!kernel.hasSymbol('PsInitialSystemProcess')) return null;
  const system = await kernel.vm.readU64(kernel.symbolAddress('PsInitialSystemProcess'));
  if (!system) return null;
  const bodyOffset = kernel.layout.offset('_OBJECT_HEADER', 'Body');
  const headerAddress = system - BigInt(bodyOffset);
  const header = await kernel.vm.read(headerAddress, bodyOffset);
  return header && decodeTypeIndex(kernel, header[kernel.layout.offset('_OBJECT_HEADER', 'TypeIndex')]!, headerAddress);
}
