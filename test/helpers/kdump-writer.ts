// Test helper: a kdump-compressed file (makedumpfile diskdump layout, header version 6) from pages and how
// each is stored; independent of src/formats/kdump.ts. zstd and LZO pages come from the zstd and lzop tools.
import { spawnSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import snappy from 'snappyjs';

/** A codec by name, or bytes stored as they are under the given page_desc flags (hand-built or damaged data). */
export type PageCodec = 'zlib' | 'zstd' | 'snappy' | 'lzo' | 'stored' | { readonly bytes: Uint8Array; readonly flags: number };
export const KDUMP_BLOCK = 4096;
export const FLAGS = { zlib: 0x1, lzo: 0x2, snappy: 0x4, zstd: 0x20, stored: 0 } as const;
/** Header blocks (1) + sub-header blocks (1) before the bitmaps. */
const LEADING_BLOCKS = 2;

export function toolAvailable(tool: 'zstd' | 'lzop'): boolean {
  return spawnSync(tool, ['--version']).status === 0;
}

function run(tool: string, args: string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(tool, args, { input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** A zstd frame that declares its content size, as makedumpfile's ZSTD_compressCCtx writes it. */
export function zstdFrame(data: Uint8Array): Uint8Array {
  return run('zstd', ['-q', '-c', '-19', `--stream-size=${data.length}`], data);
}

/**
 * `data` as raw LZO1X blocks (liblzo's lzo1x_1 at level 3, lzo1x_999 at level 9) taken out of lzop's file
 * format (lzop.c: header, then per block: sizes, checksums, data). Blocks lzop stored uncompressed come back
 * as undefined.
 */
export function lzo1xBlocks(data: Uint8Array, level: 1 | 3 | 9): { length: number; lzo: Uint8Array | undefined }[] {
  const file = run('lzop', [`-${level}`, '-c'], data);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let p = 9;
  const version = dv.getUint16(p);
  p += 4 + (version >= 0x0940 ? 2 : 0);
  p += version >= 0x0940 ? 2 : 1; // method, level
  const flags = dv.getUint32(p);
  p += 4 + (flags & 0x800 ? 4 : 0) + 8 + (version >= 0x0940 ? 4 : 0); // filter, mode, mtime
  p += 1 + file[p]! + 4; // name, header checksum
  const blocks: { length: number; lzo: Uint8Array | undefined }[] = [];
  for (let length = dv.getUint32(p); length !== 0; length = dv.getUint32(p)) {
    const packed = dv.getUint32(p + 4);
    p += 8 + (flags & 0x101 ? 4 : 0) + (flags & 0x202 && packed < length ? 4 : 0);
    blocks.push({ length, lzo: packed < length ? file.slice(p, p + packed) : undefined });
    p += packed;
  }
  return blocks;
}

function encode(page: Uint8Array, codec: PageCodec): { bytes: Uint8Array; flags: number } {
  if (typeof codec === 'object') return codec;
  switch (codec) {
    case 'zlib':
      return { bytes: new Uint8Array(deflateSync(page)), flags: FLAGS.zlib };
    case 'zstd':
      return { bytes: zstdFrame(page), flags: FLAGS.zstd };
    case 'snappy':
      return { bytes: snappy.compress(page), flags: FLAGS.snappy };
    case 'lzo': {
      const [block] = lzo1xBlocks(page, 3);
      if (!block?.lzo || block.length !== page.length) throw new Error('lzop did not compress the page in one block');
      return { bytes: block.lzo, flags: FLAGS.lzo };
    }
    case 'stored':
      return { bytes: page, flags: FLAGS.stored };
  }
}

export interface KdumpLayout {
  readonly file: Uint8Array;
  readonly descriptorsAt: number;
}

/** Pages by pfn (contents, codec); `maxMapnr` pages in the bitmaps; VMCOREINFO text and ELF notes in the sub-header. */
export function writeKdump(
  pages: ReadonlyMap<number, { data: Uint8Array; codec: PageCodec }>,
  maxMapnr: number,
  vmcoreinfo: string,
  elfNotes: Uint8Array = new Uint8Array(0),
): KdumpLayout {
  const bitmapBlocks = 2 * Math.ceil(maxMapnr / 8 / KDUMP_BLOCK);
  const header = new Uint8Array(KDUMP_BLOCK);
  const hv = new DataView(header.buffer);
  header.set(new TextEncoder().encode('KDUMP   '));
  hv.setInt32(8, 6, true); // header_version
  hv.setInt32(428, KDUMP_BLOCK, true); // block_size
  hv.setInt32(432, 1, true); // sub_hdr_size
  hv.setUint32(436, bitmapBlocks, true);
  hv.setUint32(440, maxMapnr, true);
  const sub = new Uint8Array(KDUMP_BLOCK);
  const sv = new DataView(sub.buffer);
  const info = new TextEncoder().encode(vmcoreinfo);
  sub.set(elfNotes, 256);
  sub.set(info, 256 + elfNotes.length);
  sv.setBigUint64(0, 0xdeadbeefn, true); // phys_base: garbage, as QEMU writes it
  sv.setBigUint64(32, BigInt(KDUMP_BLOCK + 256 + elfNotes.length), true);
  sv.setBigUint64(40, BigInt(info.length), true);
  sv.setBigUint64(48, BigInt(KDUMP_BLOCK + 256), true);
  sv.setBigUint64(56, BigInt(elfNotes.length), true);
  sv.setBigUint64(96, BigInt(maxMapnr), true); // max_mapnr_64
  const half = (bitmapBlocks * KDUMP_BLOCK) / 2;
  const bitmaps = new Uint8Array(half * 2);
  const pfns = [...pages.keys()].sort((a, b) => a - b);
  for (const pfn of pfns) {
    bitmaps[pfn >> 3] |= 1 << (pfn & 7);
    bitmaps[half + (pfn >> 3)] |= 1 << (pfn & 7);
  }
  const descriptorsAt = (LEADING_BLOCKS + bitmapBlocks) * KDUMP_BLOCK;
  const descriptors = new Uint8Array(pfns.length * 24);
  const dv = new DataView(descriptors.buffer);
  const data: Uint8Array[] = [];
  let offset = descriptorsAt + descriptors.length;
  pfns.forEach((pfn, i) => {
    const { data: page, codec } = pages.get(pfn)!;
    const { bytes, flags } = encode(page, codec);
    dv.setBigInt64(i * 24, BigInt(offset), true);
    dv.setUint32(i * 24 + 8, bytes.length, true);
    dv.setUint32(i * 24 + 12, flags, true);
    data.push(bytes);
    offset += bytes.length;
  });
  const file = new Uint8Array(offset);
  file.set(header, 0);
  file.set(sub, KDUMP_BLOCK);
  file.set(bitmaps, LEADING_BLOCKS * KDUMP_BLOCK);
  file.set(descriptors, descriptorsAt);
  let at = descriptorsAt + descriptors.length;
  for (const d of data) {
    file.set(d, at);
    at += d.length;
  }
  return { file, descriptorsAt };
}
