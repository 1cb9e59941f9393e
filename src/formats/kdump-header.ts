import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { readExact } from '../io/read-exact.ts';

export const KDUMP_SIGNATURE = 'KDUMP   ';
/** What `makedumpfile -F` writes: a stream of (offset, size, data) records, not a seekable dump. */
export const FLATTENED_SIGNATURE = 'makedumpfile';

/** disk_dump_header up to nr_cpus (x86-64 layout: the 390-byte utsname is padded to 8 before the timeval). */
const HEADER_BYTES = 464;
/** kdump_sub_header up to max_mapnr_64. */
const SUB_HEADER_BYTES = 104;
/** Both bitmaps together; 256 MiB each covers 2^31 pages (8 TiB of 4 KiB pages). */
const MAX_BITMAP_BYTES = 512 * 1024 * 1024;
const MAX_PAGES = 2 ** 40;
/** DUMP_DH_COMPRESSED_INCOMPLETE in the header status: makedumpfile stopped early (disk full). */
const STATUS_INCOMPLETE = 0x8;

export interface FileRange {
  readonly offset: number;
  readonly size: number;
}

export interface KdumpHeader {
  readonly version: number;
  /** Page size of the dumped machine; also the unit of every block count below. */
  readonly blockSize: number;
  readonly subHeaderBlocks: number;
  /** Blocks of both bitmaps together (valid pages, then dumped pages). */
  readonly bitmapBlocks: number;
  /** Pages the dump covers: max_mapnr_64 from header version 6 on. */
  readonly maxMapnr: number;
  readonly incomplete: boolean;
  readonly vmcoreinfo: FileRange;
  readonly notes: FileRange;
}

export function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/**
 * Reads and checks the disk_dump_header and kdump_sub_header. The sub-header's phys_base is not read: QEMU
 * writes garbage there, and Linux discovery takes phys_base from VMCOREINFO.
 */
export async function readKdumpHeader(source: ByteSource): Promise<KdumpHeader> {
  const headBytes = await readExact(source, 0, HEADER_BYTES, 'kdump header');
  const corrupt = (why: string) => new MemscopeError('CORRUPT', `kdump header: ${why}`, source.name);
  if (ascii(headBytes, 0, 8) !== KDUMP_SIGNATURE) throw corrupt('no "KDUMP   " signature');
  const head = new DataView(headBytes.buffer, headBytes.byteOffset, headBytes.byteLength);
  const version = head.getInt32(8, true);
  const status = head.getInt32(424, true);
  const blockSize = head.getInt32(428, true);
  const subHeaderBlocks = head.getInt32(432, true);
  const bitmapBlocks = head.getUint32(436, true);
  if (version < 1 || version > 64) throw corrupt(`header version ${version} is unknown`);
  if (blockSize < 1024 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) throw corrupt(`block size ${blockSize} is not a page size`);
  if (subHeaderBlocks < 1 || subHeaderBlocks > 1024) throw corrupt(`sub-header size ${subHeaderBlocks} blocks is implausible`);
  if (bitmapBlocks === 0 || bitmapBlocks % 2 !== 0 || bitmapBlocks * blockSize > MAX_BITMAP_BYTES) {
    throw corrupt(`bitmap size ${bitmapBlocks} blocks of ${blockSize} bytes is implausible`);
  }

  const subBytes = await readExact(source, blockSize, SUB_HEADER_BYTES, 'kdump sub-header');
  const sub = new DataView(subBytes.buffer, subBytes.byteOffset, subBytes.byteLength);
  const u64 = (at: number) => {
    const v = sub.getBigUint64(at, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  if (version >= 2 && sub.getInt32(12, true) !== 0) {
    throw new MemscopeError(
      'UNSUPPORTED',
      'this is one part of a split kdump (makedumpfile --split): join the parts first with makedumpfile --reassemble',
      source.name,
    );
  }
  let maxMapnr = head.getUint32(440, true);
  if (version >= 6) {
    const wide = u64(96);
    if (wide > 0 && wide <= MAX_PAGES) maxMapnr = wide;
  }
  if (maxMapnr === 0) throw corrupt('it records no pages (max_mapnr is 0)');
  const none: FileRange = { offset: 0, size: 0 };
  return {
    version,
    blockSize,
    subHeaderBlocks,
    bitmapBlocks,
    maxMapnr,
    incomplete: (status & STATUS_INCOMPLETE) !== 0,
    vmcoreinfo: version >= 3 ? { offset: u64(32), size: u64(40) } : none,
    notes: version >= 4 ? { offset: u64(48), size: u64(56) } : none,
  };
}
