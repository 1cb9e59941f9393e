import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { cString } from '../c-string.ts';
import type { StructLayout } from '../struct-layout.ts';
import { StructView } from '../struct-view.ts';
import { indexOfBytes } from './byte-search.ts';

/** x86-64 loadable module area, MODULES_VADDR..MODULES_END (arch/x86/include/asm/pgtable_64_types.h). */
const MODULES_START = 0xffffffffc0000000n;
const MODULES_END = 0xffffffffff000000n;
const CHUNK = 4 * 1024 * 1024;
/** The boot CPU's idle task is init_task, named "swapper" (renamed "swapper/0" by init_idle on SMP kernels). */
const SWAPPER = new TextEncoder().encode('swapper');
const INIT_TASK_NAMES: ReadonlySet<string> = new Set(['swapper', 'swapper/0']);
/** Look-alikes checked per symbol before the search gives up: smeared memory may be full of them. */
const MAX_CHECKS = 4096;
/** Longest module list accepted while checking a candidate head. */
const MAX_MODULES = 65536;

/** What a recovery search looks for in one chunk of the kernel image, and what it found. */
interface Finder {
  readonly name: string;
  found?: bigint;
  checks: number;
  search(chunk: Uint8Array, chunkAt: bigint): Promise<bigint | undefined>;
}

/**
 * Kernel symbols a plugin walk starts from, found by their shape in the kernel image ([start, start + length)) when
 * kallsyms cannot be read: `init_task` (the "swapper" task that is its own parent, pid 0, with a consistent task list)
 * and `modules` (the list head whose entries are struct modules, each pointing to itself from mkobj.mod). Types
 * from the kernel's BTF. One bounded pass; a symbol not found is left out.
 */
export async function recoverSymbols(
  vm: VirtualLayer,
  layout: StructLayout,
  start: bigint,
  length: number,
  signal?: AbortSignal,
): Promise<Map<string, bigint>> {
  const base = start & ~7n;
  const finders = [initTaskFinder(vm, layout), modulesFinder(vm, layout)].filter((f): f is Finder => f !== null);
  for (let at = 0; at < length && finders.some((f) => f.found === undefined); at += CHUNK) {
    signal?.throwIfAborted();
    const chunkAt = base + BigInt(at);
    const chunk = await vm.readPadded(chunkAt, Math.min(CHUNK, length - at) + 16);
    for (const f of finders) if (f.found === undefined && f.checks < MAX_CHECKS) f.found = await f.search(chunk, chunkAt);
  }
  return new Map(finders.flatMap((f) => (f.found === undefined ? [] : [[f.name, f.found] as const])));
}

function initTaskFinder(vm: VirtualLayer, layout: StructLayout): Finder | null {
  const needs = ['comm', 'pid', 'tgid', 'real_parent', 'tasks'];
  if (!needs.every((f) => layout.has('task_struct', f))) return null;
  const comm = layout.offset('task_struct', 'comm');
  const realParent = BigInt(layout.offset('task_struct', 'real_parent'));
  const size = layout.size('task_struct');
  const finder: Finder = {
    name: 'init_task',
    checks: 0,
    async search(chunk, chunkAt) {
      const limit = chunk.length - 16;
      for (
        let hit = indexOfBytes(chunk, SWAPPER, 0, limit);
        hit >= 0 && finder.checks < MAX_CHECKS;
        hit = indexOfBytes(chunk, SWAPPER, hit + 1, limit)
      ) {
        const task = chunkAt + BigInt(hit - comm);
        finder.checks++;
        // Cheap first: init_task is its own real parent.
        if ((await vm.readU64(task + realParent)) !== task) continue;
        const bytes = await vm.read(task, size);
        if (bytes && (await isInitTask(vm, new StructView(layout, 'task_struct', bytes, task)))) return task;
      }
      return undefined;
    },
  };
  return finder;
}

/** Pid 0, named swapper, its own parent, and its task list's neighbours pointing back at it. */
async function isInitTask(vm: VirtualLayer, view: StructView): Promise<boolean> {
  if (view.u32('pid') !== 0 || view.u32('tgid') !== 0 || !INIT_TASK_NAMES.has(cString(view.raw('comm')))) return false;
  const link = view.addressOf('tasks');
  const [next, prev] = [view.u64('tasks.next'), view.u64('tasks.prev')];
  return (await vm.readU64(next + 8n)) === link && (await vm.readU64(prev)) === link;
}

function modulesFinder(vm: VirtualLayer, layout: StructLayout): Finder | null {
  if (!layout.has('module', 'list') || !layout.has('module', 'mkobj.mod')) return null;
  const list = BigInt(layout.offset('module', 'list'));
  const selfAt = BigInt(layout.offset('module', 'mkobj.mod'));
  const finder: Finder = {
    name: 'modules',
    checks: 0,
    async search(chunk, chunkAt) {
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const inModules = (at: number) =>
        dv.getUint32(at + 4, true) === 0xffffffff && dv.getUint32(at, true) >= 0xc0000000 && dv.getUint32(at, true) < 0xff000000;
      for (let at = 0; at < chunk.length - 16 && finder.checks < MAX_CHECKS; at += 8) {
        if (!inModules(at) || !inModules(at + 8)) continue;
        finder.checks++;
        if (await isModuleList(vm, chunkAt + BigInt(at), list, selfAt)) return chunkAt + BigInt(at);
      }
      return undefined;
    },
  };
  return finder;
}

/** A list head whose every entry is a struct module's `list` (the module pointing to itself from mkobj.mod), links consistent both ways. */
async function isModuleList(vm: VirtualLayer, head: bigint, list: bigint, selfAt: bigint): Promise<boolean> {
  let prev = head;
  let at = await vm.readU64(head);
  for (let count = 0; at !== head; count++) {
    if (at === null || at < MODULES_START || at >= MODULES_END || count >= MAX_MODULES) return false;
    if ((await vm.readU64(at + 8n)) !== prev || (await vm.readU64(at - list + selfAt)) !== at - list) return false;
    prev = at;
    at = await vm.readU64(at);
  }
  return prev !== head;
}
