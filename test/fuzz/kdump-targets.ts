import type { ByteSource } from '../../src/io/byte-source.ts';
import type { PhysicalTarget, Target } from './targets.ts';

/** The fields of the kdump header the layout follows from (makedumpfile's disk_dump_header; truth.json lists them). */
export interface KdumpLayout {
  readonly blockSize: number;
  readonly subHeaderBlocks: number;
  readonly bitmapBlocks: number;
}

const DESCRIPTOR_BYTES = 24;
const PAGE = 4096;

/**
 * A compressed kdump's structure as mutation targets: the header and sub-header blocks, the two page bitmaps, and for
 * each physical target the page descriptors (offset, size, flags) of its pages and their compressed data.
 * Layout (makedumpfile IMPLEMENTATION): header block, sub-header blocks, bitmaps, then one 24-byte descriptor per
 * page set in the second bitmap, in page order.
 */
export async function kdumpTargets(file: ByteSource, layout: KdumpLayout, physical: readonly PhysicalTarget[]): Promise<Target[]> {
  const { blockSize, subHeaderBlocks, bitmapBlocks } = layout;
  const bitmapAt = (1 + subHeaderBlocks) * blockSize;
  const bitmapBytes = bitmapBlocks * blockSize;
  const descriptorsAt = bitmapAt + bitmapBytes;
  const targets: Target[] = [
    { kind: 'kdump-header', offset: 0, length: bitmapAt },
    { kind: 'kdump-bitmap', offset: bitmapAt, length: bitmapBytes },
  ];
  const dumpable = await file.read(bitmapAt + bitmapBytes / 2, bitmapBytes / 2);
  // Index of each page's descriptor = the number of dumpable pages before it.
  const rank = new Uint32Array(dumpable.length * 8 + 1);
  for (let pfn = 0; pfn < dumpable.length * 8; pfn++) rank[pfn + 1] = rank[pfn]! + ((dumpable[pfn >> 3]! >> (pfn & 7)) & 1);
  for (const t of physical) {
    for (let pfn = Math.floor(t.address / PAGE); pfn * PAGE < t.address + t.length && pfn < dumpable.length * 8; pfn++) {
      if (!((dumpable[pfn >> 3]! >> (pfn & 7)) & 1)) continue;
      const at = descriptorsAt + rank[pfn]! * DESCRIPTOR_BYTES;
      targets.push({ kind: 'kdump-descriptor', offset: at, length: DESCRIPTOR_BYTES });
      const d = await file.read(at, DESCRIPTOR_BYTES);
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const offset = Number(view.getBigUint64(0, true));
      const size = view.getUint32(8, true);
      if (offset + size <= file.size && size > 0) targets.push({ kind: `compressed:${t.kind}`, offset, length: size });
    }
  }
  return targets;
}
