import { MemscopeError } from '../../errors.ts';
import type { KernelModule } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { describeModule, moduleMemory, moduleStates } from './modules.ts';

/**
 * x86-64's module area (arch/x86/include/asm/pgtable_64_types.h): MODULES_VADDR is the end of the kernel image
 * mapping, __START_KERNEL_map + KERNEL_IMAGE_SIZE (512 MiB, or 1 GiB with KASLR), MODULES_END below the fixmap.
 */
const MODULES_VADDR_LOWEST = 0xffffffffa0000000n;
const MODULES_END = 0xffffffffff000000n;
/** Mapped memory is read this much at a time. */
const CHUNK = 1 << 20;
/** Self-pointing candidates checked at most; more is not a module area. */
const MAX_CANDIDATES = 10_000;
/** Module memory is allocated in pages: a module smaller than one is not loaded. */
const PAGE = 4096;
/** What a module name is made of: KBUILD_MODNAME's letters, digits and underscores (a dash allowed), NUL-terminated. */
const MODULE_NAME = /^[\w-]+$/;

export interface ModuleScanControl {
  readonly signal?: AbortSignal;
  /** Candidates checked at most (MAX_CANDIDATES unless given). */
  readonly limit?: number;
}

/**
 * struct modules carved from the mapped pages of the module area, in address order: listed, unlinked and hidden
 * ones. A module's own memory holds its struct module, whose mkobj.mod points back at it; every 8-byte-aligned
 * place holding its own address less that offset is a candidate, kept when the whole structure is readable, its
 * state is one a loaded module has (not UNFORMED: freed and half-loaded modules are left in that state), its name
 * is an identifier and its memory lies in the module area.
 */
export async function* scanModules(kernel: LinuxKernel, warn: Warn, control: ModuleScanControl = {}): AsyncGenerator<KernelModule> {
  const constants = kernel.symbols.enumeration('module_state')?.constants;
  if (!constants) throw new MemscopeError('SYMBOLS_INVALID', 'enum module_state is missing: carved modules cannot be checked', kernel.tableName);
  const live = new Set([...constants].flatMap(([name, value]) => (name === 'MODULE_STATE_UNFORMED' ? [] : [value])));
  const states = moduleStates(kernel);
  const selfOffset = BigInt(kernel.layout.offset('module', 'mkobj') + kernel.layout.offset('module_kobject', 'mod'));
  const start = kernel.hasSymbol('_end') && kernel.symbolAddress('_end') > MODULES_VADDR_LOWEST ? kernel.symbolAddress('_end') : MODULES_VADDR_LOWEST;
  const area = { start, end: MODULES_END };
  const limit = control.limit ?? MAX_CANDIDATES;
  let candidates = 0;
  for await (const run of kernel.vm.mappedRuns(start, MODULES_END, { signal: control.signal })) {
    for (let at = 0; at < run.length; at += CHUNK) {
      control.signal?.throwIfAborted();
      const chunk = await kernel.phys.read(run.paddr + at, Math.min(CHUNK, run.length - at));
      for (const address of selfPointers(chunk, run.vaddr + BigInt(at), selfOffset)) {
        if (++candidates > limit) {
          warn({ code: 'LIMIT', message: `more than ${limit} self-pointing module candidates in the module area: the scan stopped there` });
          return;
        }
        const view = await kernel.readStruct('module', address);
        if (view && live.has(view.u32('state')) && plausible(kernel, view, area)) yield describeModule(kernel, view, states, warn);
      }
    }
  }
}

/** The addresses `a` whose u64 at `a + selfOffset` (8-byte aligned, inside the chunk) is `a`: low halves compared first. */
function selfPointers(chunk: Uint8Array, vaddr: bigint, selfOffset: bigint): bigint[] {
  const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const low = Number(BigInt.asUintN(32, vaddr - selfOffset));
  const found: bigint[] = [];
  for (let i = 0; i + 8 <= chunk.length; i += 8) {
    if (dv.getUint32(i, true) !== (low + i) >>> 0) continue;
    const address = vaddr + BigInt(i) - selfOffset;
    if (dv.getBigUint64(i, true) === address) found.push(address);
  }
  return found;
}

/** A name as modules have, and at least a page of module memory whose text starts in the module area. */
function plausible(kernel: LinuxKernel, view: StructView, area: { start: bigint; end: bigint }): boolean {
  const raw = view.raw('name');
  const nul = raw.indexOf(0);
  if (nul <= 0 || !MODULE_NAME.test(String.fromCharCode(...raw.subarray(0, nul)))) return false;
  const { size, base } = moduleMemory(kernel, view);
  return size >= PAGE && base >= area.start && base + BigInt(size) <= area.end;
}
