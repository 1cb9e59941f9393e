import type { VirtualLayer } from '../../layers/virtual-layer.ts';

const PAGE = 4096n;
const PRESENT = 1n;
const LARGE = 1n << 7n;
const DIRTY = 1n << 6n;
/** Bits 12-51: the frame of the next table or of the page (MAXPHYADDR 52, as Volatility's Intel32e layer). */
const FRAME = ((1n << 52n) - 1n) & ~(PAGE - 1n);

/** What the search of one range found. */
export interface DirtySearch {
  /** The first page of the range whose page-table entry is dirty; null when none before the first unmapped page. */
  readonly page: bigint | null;
  /** The range held more than `maxPages` mapped pages: those beyond were not looked at. */
  readonly limited: boolean;
}

/**
 * Volatility 3's dirty-page test of an executable mapping (vm_area_struct.is_suspicious): page by page from `start`,
 * the first whose final page-table entry (PTE, or the PDE/PDPTE of a large page) has the dirty bit, stopping at the
 * first page not mapped. Walks the 4-level tables of `layer`'s DTB; each table is read once per call.
 */
export async function firstDirtyPage(
  layer: Pick<VirtualLayer, 'physical' | 'dtb'>,
  start: bigint,
  end: bigint,
  maxPages: number,
): Promise<DirtySearch> {
  const tables = new Map<bigint, Uint8Array>();
  const table = async (frame: bigint): Promise<DataView | null> => {
    if (frame + PAGE > BigInt(layer.physical.size)) return null;
    let bytes = tables.get(frame);
    if (!bytes) tables.set(frame, (bytes = await layer.physical.read(Number(frame), Number(PAGE))));
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  const finalEntry = async (vaddr: bigint): Promise<bigint | null> => {
    let frame = BigInt(layer.dtb) & FRAME;
    for (let shift = 39n; shift >= 12n; shift -= 9n) {
      const view = await table(frame);
      if (!view) return null;
      const entry = view.getBigUint64(Number((vaddr >> shift) & 511n) * 8, true);
      if (!(entry & PRESENT)) return null;
      if (shift === 12n || ((shift === 21n || shift === 30n) && entry & LARGE)) return entry;
      frame = entry & FRAME;
    }
    return null;
  };
  let pages = 0;
  for (let page = start & ~(PAGE - 1n); page < end; page += PAGE) {
    if (pages++ >= maxPages) return { page: null, limited: true };
    const entry = await finalEntry(page);
    if (entry === null) break;
    if (entry & DIRTY) return { page, limited: false };
  }
  return { page: null, limited: false };
}
