import { StructView } from '../struct-view.ts';
import type { PoolBlock } from './pool-scan.ts';
import type { WindowsKernel } from './windows-kernel.ts';

const POOL_HEADER_SIZE = 16;

/** A structure carved out of a pool allocation: its bytes and where they are. */
export interface Carved {
  readonly dv: DataView;
  /** Kernel virtual address of the structure (after the pool header); null when the kernel does not map it. */
  readonly offset: bigint | null;
  readonly physical: number;
}

/**
 * The `span` bytes after a found pool header, when the header is of a non-paged (or free) allocation of at least
 * `size` bytes — Windows 10's pool header: PoolType 0 free, even non-paged, odd paged (Volatility's
 * POOL_HEADER_VISTA); null otherwise. Read through the kernel's mapping where there is one.
 */
export async function carveNonPaged(kernel: WindowsKernel, block: PoolBlock, size: number, span: number): Promise<Carved | null> {
  const { layout, vm, phys } = kernel;
  const length = POOL_HEADER_SIZE + span;
  const bytes = block.virtual !== null ? await vm.readPadded(block.virtual, length) : await phys.read(block.physical, length);
  const header = new StructView(layout, '_POOL_HEADER', bytes.subarray(0, POOL_HEADER_SIZE), block.virtual ?? BigInt(block.physical));
  if (header.int('PoolType') % 2 !== 0 || header.int('BlockSize') * 16 < size) return null;
  return {
    dv: new DataView(bytes.buffer, bytes.byteOffset + POOL_HEADER_SIZE, span),
    offset: block.virtual === null ? null : block.virtual + BigInt(POOL_HEADER_SIZE),
    physical: block.physical + POOL_HEADER_SIZE,
  };
}
