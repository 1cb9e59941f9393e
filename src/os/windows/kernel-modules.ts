import { hex } from '../../io/hex.ts';
import type { ScanService } from '../../engine/scan-service.ts';
import type { WindowsKernelModule } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { namedListLinks } from '../list-walk.ts';
import { StructView } from '../struct-view.ts';
import { readPoolBlock, scanPoolBlocks, type ScanProgress } from './pool-scan.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { WindowsKernelModule };

/** No kernel loads more modules (a few hundred is usual); a longer list is smear or a loop. */
const MAX_MODULES = 1 << 14;
const POOL_HEADER_SIZE = 16;
/** The tag of the kernel's module entries (never with the protected bit). */
const MODULE_TAG = Uint8Array.from('MmLd', (c) => c.charCodeAt(0));
/** Volatility 3's smallest 'MmLd' block (BlockSize × 16). */
const MIN_BLOCK = 76;
const KERNEL_HALF = 0xffff_8000_0000_0000n;
/** Module images are far smaller than this. */
const MAX_IMAGE_SIZE = 0x4000_0000;

/** The kernel's module entry: _KLDR_DATA_TABLE_ENTRY (Windows 10+), else _LDR_DATA_TABLE_ENTRY (same leading fields). */
function entryStruct(kernel: WindowsKernel): string {
  return kernel.hasStruct('_KLDR_DATA_TABLE_ENTRY') ? '_KLDR_DATA_TABLE_ENTRY' : '_LDR_DATA_TABLE_ENTRY';
}

/**
 * The loaded kernel modules: nt!PsLoadedModuleList → InLoadOrderLinks in Flink order (what Volatility 3's
 * windows.modules walks), bounded and cycle-guarded with one warning where the walk breaks; an unreadable entry
 * is skipped with a warning.
 */
export async function* loadedKernelModules(kernel: WindowsKernel, warn: Warn): AsyncGenerator<WindowsKernelModule> {
  const struct = entryStruct(kernel);
  const head = kernel.symbolAddress('PsLoadedModuleList');
  const linkOffset = BigInt(kernel.layout.offset(struct, 'InLoadOrderLinks'));
  const what = 'loaded module list (PsLoadedModuleList)';
  for await (const link of namedListLinks(kernel.vm, head, what, warn, MAX_MODULES)) {
    const entry = link - linkOffset;
    const view = await kernel.readStruct(struct, entry);
    if (view) yield await moduleFromView(kernel, view, entry);
    else warn({ code: 'UNREADABLE', message: `${what}: entry not readable: skipped`, address: hex(entry) });
  }
}

/**
 * Pool-tag scan of physical memory for 'MmLd' allocations, each holding a module entry right after its pool header
 * (as Volatility 3's windows.modscan reads them): unlinked and unloaded modules too. A block too small for the
 * entry, or whose DllBase is no kernel address or SizeOfImage is implausible, is skipped with one counted warning.
 */
export async function* scanKernelModules(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<WindowsKernelModule> {
  const struct = entryStruct(kernel);
  const size = kernel.layout.size(struct);
  const needed = Math.max(MIN_BLOCK, POOL_HEADER_SIZE + kernel.layout.offset(struct, 'BaseDllName') + 16);
  for await (const block of scanPoolBlocks(kernel, scanner, warn, [MODULE_TAG], 'kernel module', control)) {
    const bytes = await readPoolBlock(kernel, block, POOL_HEADER_SIZE + size);
    const pool = new StructView(kernel.layout, '_POOL_HEADER', bytes, BigInt(block.physical));
    const offset = block.virtual === null ? null : block.virtual + BigInt(POOL_HEADER_SIZE);
    const view = new StructView(kernel.layout, struct, bytes.subarray(POOL_HEADER_SIZE), offset ?? BigInt(block.physical + POOL_HEADER_SIZE));
    if (pool.int('BlockSize') * 16 < needed || !plausible(view)) {
      warn({
        code: 'SMEAR',
        message: "'MmLd' pool allocations that hold no module entry skipped (block too small, or DllBase or SizeOfImage implausible)",
      });
      continue;
    }
    yield await moduleFromView(kernel, view, offset);
  }
}

function plausible(view: StructView): boolean {
  const size = view.u32('SizeOfImage');
  return view.u64('DllBase') >= KERNEL_HALF && size > 0 && size <= MAX_IMAGE_SIZE;
}

async function moduleFromView(kernel: WindowsKernel, view: StructView, offset: bigint | null): Promise<WindowsKernelModule> {
  return {
    offset,
    base: view.u64('DllBase'),
    size: view.u32('SizeOfImage'),
    name: await readUnicodeString(kernel.vm, view.raw('BaseDllName')),
    path: await readUnicodeString(kernel.vm, view.raw('FullDllName')),
  };
}
