import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import { VirtualLayer } from '../../layers/virtual-layer.ts';
import { findLowStub, KUSER_SHARED_DATA, selfReferencingPml4Candidates } from './dtb-locator.ts';
import { findKernelBelow, readKernelImage, scanForKernel, type KernelImage } from './kernel-locator.ts';

/** What discovery learns about a Windows image; plain data so it can be cached per image. */
export interface WindowsDiscovery {
  readonly dtb: number;
  readonly kernelBase: string;
  readonly pdbName: string;
  readonly guid: string;
  readonly age: number;
  readonly method: 'low-stub' | 'self-referencing-pml4';
}

/** Candidate DTBs tried by the fallback scan before giving up. */
const MAX_DTB_CANDIDATES = 64;

export function kernelLayer(phys: PhysicalLayer, wasm: MemscopeWasm, dtb: number): VirtualLayer {
  return new VirtualLayer(phys, wasm, dtb, { windows: true });
}

/**
 * Finds the kernel DTB, base and PDB identity of a Windows x64 image without symbols: the low stub when
 * present (one 1 MiB read), else the self-referencing PML4 scan from the bottom of memory, stopping at
 * the first candidate that maps KUSER_SHARED_DATA and a kernel image.
 */
export async function discoverWindows(phys: PhysicalLayer, wasm: MemscopeWasm, signal?: AbortSignal): Promise<WindowsDiscovery | null> {
  const stub = await findLowStub(phys);
  if (stub) {
    const kernel = kernelLayer(phys, wasm, stub.dtb);
    if ((await kernel.translate(KUSER_SHARED_DATA)) !== null) {
      const image = (await findKernelBelow(kernel, stub.lmTarget)) ?? (await scanForKernel(kernel, signal));
      if (image) return describe(stub.dtb, image, 'low-stub');
    }
  }
  let tried = 0;
  for await (const candidate of selfReferencingPml4Candidates(phys, { signal })) {
    if (++tried > MAX_DTB_CANDIDATES) break;
    const kernel = kernelLayer(phys, wasm, candidate.dtb);
    if ((await kernel.translate(KUSER_SHARED_DATA)) === null) continue;
    const image = await scanForKernel(kernel, signal);
    if (image) return describe(candidate.dtb, image, 'self-referencing-pml4');
  }
  return null;
}

/** Re-reads the kernel image named by a cached discovery, to confirm the cache entry fits this image. */
export async function confirmDiscovery(phys: PhysicalLayer, wasm: MemscopeWasm, d: WindowsDiscovery): Promise<KernelImage | null> {
  const image = await readKernelImage(kernelLayer(phys, wasm, d.dtb), BigInt(d.kernelBase));
  return image && image.pdb.guid === d.guid && image.pdb.age === d.age ? image : null;
}

function describe(dtb: number, image: KernelImage, method: WindowsDiscovery['method']): WindowsDiscovery {
  return { dtb, kernelBase: `0x${image.base.toString(16)}`, pdbName: image.pdb.pdbName, guid: image.pdb.guid, age: image.pdb.age, method };
}
