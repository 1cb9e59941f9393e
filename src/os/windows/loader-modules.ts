import { hex } from '../../io/hex.ts';
import type { VirtualMemory } from '../../plugins/api/memory.ts';
import type { LoaderList, LoaderModule, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { namedListLinks } from '../list-walk.ts';
import { filetimeToIso } from './filetime.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { LoaderList, LoaderModule };

const ENTRY = '_LDR_DATA_TABLE_ENTRY';
const DDAG_NODE = '_LDR_DDAG_NODE';

/** Each loader list: its head in _PEB_LDR_DATA and the link in _LDR_DATA_TABLE_ENTRY. */
const LISTS: Readonly<Record<LoaderList, { readonly head: string; readonly link: string }>> = {
  load: { head: 'InLoadOrderModuleList', link: 'InLoadOrderLinks' },
  init: { head: 'InInitializationOrderModuleList', link: 'InInitializationOrderLinks' },
  memory: { head: 'InMemoryOrderModuleList', link: 'InMemoryOrderLinks' },
};

/** No process loads more modules; a longer list is smear or a loop. */
const MAX_MODULES = 1 << 14;

/**
 * The modules of one of the process's PEB loader lists (PEB.Ldr → _PEB_LDR_DATA), in list order, read in the
 * process's own address space. Nothing for a process without a PEB; one warning where the PEB's loader data is
 * unreadable, an entry is unreadable (skipped) or the list breaks (bounded, cycle-guarded walk).
 */
export async function* loaderModules(kernel: WindowsKernel, p: WindowsProcess, list: LoaderList, warn: Warn): AsyncGenerator<LoaderModule> {
  const peb = p.view.u64('Peb');
  if (peb === 0n) return;
  const { head, link } = LISTS[list];
  const space = kernel.processLayer(p.dtb);
  const ldr = await space.readU64(peb + BigInt(kernel.layout.offset('_PEB', 'Ldr')));
  if (ldr === null || ldr === 0n) {
    warn({ code: 'UNREADABLE', message: `loader data (PEB.Ldr) not readable (paged out, or not yet set)`, address: hex(peb) });
    return;
  }
  const linkOffset = BigInt(kernel.layout.offset(ENTRY, link));
  const what = `loader list (PEB.Ldr.${head})`;
  for await (const at of namedListLinks(space, ldr + BigInt(kernel.layout.offset('_PEB_LDR_DATA', head)), what, warn, MAX_MODULES)) {
    const entry = at - linkOffset;
    const module = await readModule(kernel, space, entry);
    if (module) yield module;
    else warn({ code: 'UNREADABLE', message: `${what}: entry not readable: skipped`, address: hex(entry) });
  }
}

async function readModule(kernel: WindowsKernel, space: VirtualMemory, entry: bigint): Promise<LoaderModule | null> {
  const view = await kernel.readStruct(ENTRY, entry, space);
  if (!view) return null;
  return {
    entry,
    base: view.u64('DllBase'),
    size: view.u32('SizeOfImage'),
    entryPoint: view.u64('EntryPoint'),
    name: await readUnicodeString(space, view.raw('BaseDllName')),
    path: await readUnicodeString(space, view.raw('FullDllName')),
    loadTime: view.has('LoadTime') ? filetimeToIso(view.u64('LoadTime')) : null,
    loadCount: view.has('DdagNode') ? await loadCount(kernel, space, view.u64('DdagNode')) : null,
  };
}

async function loadCount(kernel: WindowsKernel, space: VirtualMemory, node: bigint): Promise<number | null> {
  if (node === 0n || !kernel.layout.has(DDAG_NODE, 'LoadCount')) return null;
  return space.readU32(node + BigInt(kernel.layout.offset(DDAG_NODE, 'LoadCount')));
}
