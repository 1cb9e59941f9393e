import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { readPeImage } from './image-pdb.ts';
import type { CodeViewRecord, PeHeader } from './pe-header.ts';

export interface KernelImage {
  readonly base: bigint;
  readonly pe: PeHeader;
  /** The PDB the CodeView record names; null when the debug directory or the record is unreadable (identity unknown). */
  readonly pdb: CodeViewRecord | null;
}

/** A kernel image whose CodeView record names its PDB. */
export type IdentifiedKernelImage = KernelImage & { readonly pdb: CodeViewRecord };

const PAGE = 0x1000n;
/** The PDB names of ntoskrnl builds. */
export const KERNEL_PDB_NAMES = new Set(['ntkrnlmp.pdb', 'ntoskrnl.pdb', 'ntkrnlpa.pdb', 'ntkrpamp.pdb']);
/** ntoskrnl lives in this window under KASLR on Windows 10/11 x64. */
const KERNEL_WINDOW_START = 0xfffff80000000000n;
const KERNEL_WINDOW_END = 0xfffff80800000000n;
/** How far below the entry point the image start can be (ntoskrnl is < 32 MiB). */
const MAX_IMAGE_SPAN = 32n * 1024n * 1024n;
const BATCH = 256;
const IMAGE_FILE_MACHINE_AMD64 = 0x8664;

/**
 * Reads the PE header at `base` and its CodeView record; null unless it is a kernel image: its record names a
 * kernel PDB, or the record is unreadable and the header is an x64 image of a kernel's size in the KASLR window.
 */
export async function readKernelImage(kernel: VirtualLayer, base: bigint): Promise<KernelImage | null> {
  const found = await readPeImage(kernel, base);
  if (!found) return null;
  if (found.pdb) return KERNEL_PDB_NAMES.has(found.pdb.pdbName.toLowerCase()) ? { base, ...found } : null;
  const { pe } = found;
  const sound =
    pe.machine === IMAGE_FILE_MACHINE_AMD64 &&
    pe.sizeOfImage > 0 &&
    pe.sizeOfImage <= MAX_IMAGE_SPAN &&
    base >= KERNEL_WINDOW_START &&
    base + BigInt(pe.sizeOfImage) <= KERNEL_WINDOW_END;
  return sound ? { base, pe, pdb: null } : null;
}

/** The first kernel image met whose CodeView record names it, else the first whose record is unreadable. */
class KernelSearch {
  private unidentified: KernelImage | null = null;

  /** The image when the search is over (its identity is known); otherwise it may be kept for `result`. */
  take(image: KernelImage): KernelImage | null {
    if (image.pdb) return image;
    this.unidentified ??= image;
    return null;
  }

  result(): KernelImage | null {
    return this.unidentified;
  }
}

/** Walks down page by page from an address inside ntoskrnl (the low stub's entry point) to its MZ header. */
export async function findKernelBelow(kernel: VirtualLayer, inside: bigint): Promise<KernelImage | null> {
  const top = inside & ~(PAGE - 1n);
  const search = new KernelSearch();
  for (let start = 0n; start < MAX_IMAGE_SPAN; start += PAGE * BigInt(BATCH)) {
    const candidates: bigint[] = [];
    for (let i = 0n; i < BigInt(BATCH) && start + i * PAGE < MAX_IMAGE_SPAN; i++) candidates.push(top - start - i * PAGE);
    const found = await firstKernelImage(kernel, candidates, search, (base, pe) => base + BigInt(pe.sizeOfImage) > inside);
    if (found) return found;
  }
  return search.result();
}

/** Looks at the start of every mapped page of the KASLR window for the kernel's PE header. */
export async function scanForKernel(kernel: VirtualLayer, signal?: AbortSignal): Promise<KernelImage | null> {
  const search = new KernelSearch();
  for await (const run of kernel.mappedRuns(KERNEL_WINDOW_START, KERNEL_WINDOW_END, { signal })) {
    const pages: bigint[] = [];
    for (let off = 0; off < run.length; off += 0x1000) pages.push(run.vaddr + BigInt(off));
    for (let i = 0; i < pages.length; i += BATCH) {
      const found = await firstKernelImage(kernel, pages.slice(i, i + BATCH), search, () => true);
      if (found) return found;
    }
  }
  return search.result();
}

async function firstKernelImage(
  kernel: VirtualLayer,
  bases: readonly bigint[],
  search: KernelSearch,
  accept: (base: bigint, pe: PeHeader) => boolean,
): Promise<KernelImage | null> {
  const heads = await Promise.all(bases.map((b) => kernel.read(b, 2)));
  for (let i = 0; i < bases.length; i++) {
    const h = heads[i];
    if (!h || h[0] !== 0x4d || h[1] !== 0x5a) continue;
    const image = await readKernelImage(kernel, bases[i]!);
    const found = image && accept(image.base, image.pe) ? search.take(image) : null;
    if (found) return found;
  }
  return null;
}
