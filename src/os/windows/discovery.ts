import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { OsOutcome } from '../os-profile.ts';
import { findLowStub, KUSER_SHARED_DATA, SELF_REF_SCAN_LIMIT, selfReferencingPml4Candidates } from './dtb-locator.ts';
import { findKernelBelow, readKernelImage, scanForKernel, type KernelImage } from './kernel-locator.ts';
import type { CodeViewRecord } from './pe-header.ts';

/** What discovery learns about a Windows image; plain data so it can be cached per image. */
export interface WindowsDiscovery {
  readonly dtb: number;
  readonly kernelBase: string;
  /** The kernel's PDB from its CodeView record; null when the debug directory or the record is unreadable. */
  readonly pdb: CodeViewRecord | null;
  readonly method: 'crash-dump-header' | 'low-stub' | 'self-referencing-pml4';
}

/** Discovery's answer: what was found, or why nothing was (partial: Windows page tables were seen, but no kernel image). */
export type DiscoveryOutcome = OsOutcome<WindowsDiscovery>;

/** Candidate DTBs tried by the fallback scan before giving up. */
const MAX_DTB_CANDIDATES = 64;

export function kernelLayer(phys: PhysicalLayer, wasm: MemscopeWasm, dtb: number): VirtualLayer {
  return new VirtualLayer(phys, wasm, dtb, { windows: true });
}

/**
 * The kernel image in the address space of a DTB candidate, or null; undefined when the candidate does not
 * map KUSER_SHARED_DATA (not a Windows x64 page-table root). `inside`: addresses known to lie in ntoskrnl
 * (walked down from first), else the KASLR window is scanned.
 */
async function kernelUnder(
  phys: PhysicalLayer,
  wasm: MemscopeWasm,
  dtb: number,
  inside: readonly bigint[],
  signal?: AbortSignal,
): Promise<KernelImage | null | undefined> {
  const kernel = kernelLayer(phys, wasm, dtb);
  if ((await kernel.translate(KUSER_SHARED_DATA)) === null) return undefined;
  for (const address of inside) {
    const image = await findKernelBelow(kernel, address);
    if (image) return image;
  }
  return scanForKernel(kernel, signal);
}

/**
 * Finds the kernel DTB, base and PDB identity of a Windows x64 image without symbols: the container's
 * header when it records them (crash dumps), else the low stub when present (one 1 MiB read), else the
 * self-referencing PML4 scan from the bottom of memory, stopping at the first candidate that maps
 * KUSER_SHARED_DATA and a kernel image.
 */
export async function discoverWindows(phys: PhysicalLayer, wasm: MemscopeWasm, signal?: AbortSignal): Promise<DiscoveryOutcome> {
  /** Evidence of Windows page tables (the low stub's CR3, or a DTB mapping KUSER_SHARED_DATA) without a kernel image. */
  let pagingFound: number | null = null;
  const hints = phys.hints;
  if (hints?.dtb !== undefined) {
    const inside = [hints.psActiveProcessHead, hints.psLoadedModuleList].filter((a): a is bigint => a !== undefined);
    const image = await kernelUnder(phys, wasm, hints.dtb, inside, signal);
    if (image) return { discovery: describe(hints.dtb, image, 'crash-dump-header') };
    if (image === null) pagingFound = hints.dtb;
  }
  const stub = await findLowStub(phys);
  if (stub) {
    pagingFound ??= stub.dtb;
    const image = await kernelUnder(phys, wasm, stub.dtb, [stub.lmTarget], signal);
    if (image) return { discovery: describe(stub.dtb, image, 'low-stub') };
  }
  let tried = 0;
  for await (const candidate of selfReferencingPml4Candidates(phys, { signal })) {
    if (++tried > MAX_DTB_CANDIDATES) break;
    const image = await kernelUnder(phys, wasm, candidate.dtb, [], signal);
    if (image === undefined) continue;
    pagingFound ??= candidate.dtb;
    if (image) return { discovery: describe(candidate.dtb, image, 'self-referencing-pml4') };
  }
  if (pagingFound !== null) {
    return {
      discovery: null,
      partial: true,
      why:
        `a Windows x64 page-table root was found (DTB 0x${pagingFound.toString(16)}) but not the kernel image (ntoskrnl) in the captured memory: ` +
        'the capture may be truncated or incomplete',
    };
  }
  return {
    discovery: null,
    partial: false,
    why:
      `no Windows x64 kernel found (${hints?.dtb === undefined ? '' : `the DTB in the container header, 0x${hints.dtb.toString(16)}, does not map KUSER_SHARED_DATA; `}` +
      `no processor start block below 1 MiB, no self-referencing page table in the first ${SELF_REF_SCAN_LIMIT / (1024 * 1024)} MiB)`,
  };
}

/** Re-reads the kernel image named by a cached discovery, to confirm the cache entry fits this image. */
export async function confirmDiscovery(phys: PhysicalLayer, wasm: MemscopeWasm, d: WindowsDiscovery): Promise<KernelImage | null> {
  const image = await readKernelImage(kernelLayer(phys, wasm, d.dtb), BigInt(d.kernelBase));
  const same = image && (image.pdb && d.pdb ? image.pdb.guid === d.pdb.guid && image.pdb.age === d.pdb.age : image.pdb === d.pdb);
  return same ? image : null;
}

function describe(dtb: number, image: KernelImage, method: WindowsDiscovery['method']): WindowsDiscovery {
  return { dtb, kernelBase: `0x${image.base.toString(16)}`, pdb: image.pdb, method };
}
