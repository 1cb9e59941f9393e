import type { PluginContext, VirtualMemory } from '../api.ts';
import { imageKernel } from './image-kernel.ts';
import { countBelow } from './sorted-search.ts';

/** The user half of a 4-level x86-64 address space. */
const USER_SPACE_END = 0x8000_0000_0000n;

/** A process whose page tables may map physical memory. */
export interface MappingProcess {
  readonly pid: number;
  readonly name: string;
  readonly space: VirtualMemory;
}

/** A process mapping a physical address, and where it sees it. */
export interface PhysicalOwner {
  readonly pid: number;
  readonly name: string;
  readonly address: bigint;
}

/**
 * The processes whose user space maps each of `addresses` (physical), in the order `processes` lists them: each
 * process's page tables are walked once (mappedRuns), every address looked up among its runs. An address no process
 * maps (kernel memory, a freed page, a file's cache) has none.
 */
export async function physicalOwners(
  addresses: readonly number[],
  processes: AsyncIterable<MappingProcess>,
  signal?: PluginContext['signal'],
): Promise<Map<number, PhysicalOwner[]>> {
  const sorted = [...new Set(addresses)].sort((a, b) => a - b);
  const owners = new Map<number, PhysicalOwner[]>(sorted.map((a) => [a, []]));
  if (sorted.length === 0) return owners;
  for await (const p of processes) {
    for await (const run of p.space.mappedRuns(0n, USER_SPACE_END, { signal })) {
      for (let i = countBelow(sorted, run.paddr); i < sorted.length && sorted[i]! < run.paddr + run.length; i++) {
        const list = owners.get(sorted[i]!)!;
        // A process mapping one page at two addresses is named once, at the first.
        if (list.at(-1)?.pid !== p.pid) list.push({ pid: p.pid, name: p.name, address: run.vaddr + BigInt(sorted[i]! - run.paddr) });
      }
    }
  }
  return owners;
}

/**
 * The image's processes with their address spaces: Windows' process list, else Linux's thread-group leaders that have
 * a user space. OS_NOT_FOUND when the image has neither.
 */
export async function* imageProcesses(ctx: Pick<PluginContext, 'windows' | 'linux'>): AsyncGenerator<MappingProcess> {
  const image = await imageKernel(ctx);
  if (image.os === 'windows') {
    const windows = image.kernel;
    for await (const p of windows.processes()) yield { pid: p.pid, name: p.name, space: windows.processSpace(p) };
    return;
  }
  for await (const task of image.kernel.tasks({ threads: false })) {
    const space = await image.kernel.processSpace(task);
    if (space) yield { pid: task.pid, name: task.comm, space };
  }
}
