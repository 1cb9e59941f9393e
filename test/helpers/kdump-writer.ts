// Test helper: a kdump-compressed file (makedumpfile diskdump layout, header version 6) from pages and how
// each is stored; independent of src/formats/kdump.ts.
import { spawnSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import snappy from 'snappyjs';

export type PageCodec = 'zlib' | 'zstd' | 'snappy' | 'stored' | { lzo: Uint8Array };
export const KDUMP_BLOCK = 4096;
const FLAGS = { zlib: 0x1, lzo: 0x2, snappy: 0x4, zstd: 0x20, stored: 0 };

export function zstdAvailable(): boolean {
  return spawnSync('zstd', ['--version']).status === 0;
}

function zstd(bytes: Uint8Array): Uint8Array {
  const r = spawnSync('zstd', ['-q', '-c', '-19'], { input: bytes });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Pages by pfn (page contents, codec); `maxMapnr` pages in the bitmaps; VMCOREINFO text in the sub-header. */
export function writeKdump(pages: ReadonlyMap<number, { data: Uint8Array; codec: PageCodec }>, maxMapnr: number, vmcoreinfo: string): Uint8Array {
  const bitmapBlocks = 2 * Math.ceil(maxMapnr / 8 / KDUMP_BLOCK);
  const header = new Uint8Array(KDUMP_BLOCK);
  const hv = new DataView(header.buffer);
  header.set(new TextEncoder().encode('KDUMP   '));
  hv.setInt32(8, 6, true);
  hv.setInt32(428, KDUMP_BLOCK, true);
  hv.setInt32(432, 1, true);
  hv.setUint32(436, bitmapBlocks, true);
  hv.setUint32(440, maxMapnr, true);
  const sub = new Uint8Array(KDUMP_BLOCK);
  const sv = new DataView(sub.buffer);
  const info = new TextEncoder().encode(vmcoreinfo);
  sub.set(info, 512);
  sv.setBigUint64(0, 0xdeadbeefn, true); // phys_base: garbage, as QEMU writes it
  sv.setBigUint64(32, BigInt(KDUMP_BLOCK + 512), true);
  sv.setBigUint64(40, BigInt(info.length), true);
  sv.setBigUint64(96, BigInt(maxMapnr), true);
  const half = (bitmapBlocks * KDUMP_BLOCK) / 2;
  const bitmaps = new Uint8Array(half * 2);
  const pfns = [...pages.keys()].sort((a, b) => a - b);
  for (const pfn of pfns) {
    bitmaps[pfn >> 3] |= 1 << (pfn & 7);
    bitmaps[half + (pfn >> 3)] |= 1 << (pfn & 7);
  }
  const descriptorsAt = (2 + bitmapBlocks) * KDUMP_BLOCK;
  const descriptors = new Uint8Array(pfns.length * 24);
  const dv = new DataView(descriptors.buffer);
  const data: Uint8Array[] = [];
  let offset = descriptorsAt + descriptors.length;
  pfns.forEach((pfn, i) => {
    const { data: page, codec } = pages.get(pfn)!;
    const stored =
      codec === 'zlib' ? new Uint8Array(deflateSync(page)) : codec === 'zstd' ? zstd(page) : codec === 'snappy' ? (snappy.compress(page) as Uint8Array) : codec === 'stored' ? page : codec.lzo;
    dv.setBigInt64(i * 24, BigInt(offset), true);
    dv.setUint32(i * 24 + 8, stored.length, true);
    dv.setUint32(i * 24 + 12, typeof codec === 'object' ? FLAGS.lzo : FLAGS[codec], true);
    data.push(stored);
    offset += stored.length;
  });
  const out = new Uint8Array(offset);
  out.set(header, 0);
  out.set(sub, KDUMP_BLOCK);
  out.set(bitmaps, 2 * KDUMP_BLOCK);
  out.set(descriptors, descriptorsAt);
  let at = descriptorsAt + descriptors.length;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}
