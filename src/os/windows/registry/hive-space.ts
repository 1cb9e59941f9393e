import type { VirtualMemory, WindowsKernelContext } from '../../../plugins/api.ts';
import type { HiveObject } from './hive-list.ts';

/** Bit 31 of a cell index: the volatile storage. */
export const VOLATILE_BIT = 0x8000_0000;
/** A cell index that points nowhere. */
export const HCELL_NIL = 0xffff_ffff;
const BLOCK = 0x1000;
const REGF = 0x6667_6572;
/** Where the root key lies when the base block cannot be read (right after the first bin's header). */
const DEFAULT_ROOT_CELL = 0x20;
/** Cells larger than this are taken as corrupt (the largest real ones, big-data segments, are 16 KiB). */
export const MAX_CELL = 0x10_0000;

interface Storage {
  readonly length: number;
  readonly map: bigint;
}

/**
 * A hive's cells: a cell index (bit 31 the storage, then 10 bits of directory, 9 of table and 12 of offset in the
 * block) goes through _HHIVE.Storage[storage].Map → Directory[dir] → Table[table] (_HMAP_ENTRY) to the block's
 * address — PermanentBinAddress without its 4 flag bits plus BlockOffset, or BlockAddress on older layouts. The blocks
 * are read in `blocks`: the Registry process's space since Windows 10 1803, else the kernel's. A block whose page
 * is not in the image reads as null (a paged-out bin), never as an error.
 */
export class HiveSpace {
  private readonly entries = new Map<number, bigint | null>();

  private constructor(
    private readonly kernel: WindowsKernelContext,
    private readonly blocks: VirtualMemory,
    readonly hive: HiveObject,
    private readonly storages: readonly [Storage, Storage],
    readonly rootCell: number,
    /** _HHIVE.Version (5: format 1.5, with big-data cells). */
    readonly version: number,
  ) {}

  static async open(kernel: WindowsKernelContext, hive: HiveObject, blocks: VirtualMemory): Promise<HiveSpace> {
    const dualSize = kernel.structSize('_DUAL');
    const storageAt = hive.view.offsetOf('Hive.Storage');
    const storages = [0, 1].map((i) => {
      const at = storageAt + i * dualSize;
      const dv = new DataView(hive.view.bytes.buffer, hive.view.bytes.byteOffset + at, dualSize);
      return {
        length: dv.getUint32(kernel.fieldOffset('_DUAL', 'Length'), true),
        map: dv.getBigUint64(kernel.fieldOffset('_DUAL', 'Map'), true),
      };
    }) as [Storage, Storage];
    const baseBlock = await kernel.readStruct('_HBASE_BLOCK', hive.view.u64('Hive.BaseBlock'));
    const rootCell = baseBlock && baseBlock.u32('Signature') === REGF ? baseBlock.u32('RootCell') : DEFAULT_ROOT_CELL;
    return new HiveSpace(kernel, blocks, hive, storages, rootCell, hive.view.u32('Hive.Version'));
  }

  /** The address of the block holding `index`; null when outside the storage or its map is not readable. */
  private async block(index: number): Promise<bigint | null> {
    const key = Math.floor(index / BLOCK);
    if (this.entries.has(key)) return this.entries.get(key)!;
    const storage = this.storages[index >= VOLATILE_BIT ? 1 : 0];
    const offset = index & 0x7fff_ffff;
    let address: bigint | null = null;
    if (offset < storage.length && storage.map !== 0n) {
      const table = await this.kernel.readPointer(storage.map + BigInt(((offset >>> 21) & 0x3ff) * 8));
      const entrySize = this.kernel.structSize('_HMAP_ENTRY');
      const entry = table ? await this.kernel.readStruct('_HMAP_ENTRY', table + BigInt(((offset >>> 12) & 0x1ff) * entrySize)) : null;
      if (entry) {
        address = entry.has('PermanentBinAddress')
          ? (entry.u64('PermanentBinAddress') & ~0xfn) + entry.u64('BlockOffset')
          : entry.u64('BlockAddress');
      }
    }
    this.entries.set(key, address);
    return address;
  }

  /** The virtual address (in the bins' space) of cell offset `index`; null when its block is not mapped by the hive. */
  async address(index: number): Promise<bigint | null> {
    const block = await this.block(index);
    return block === null ? null : block + BigInt(index % BLOCK);
  }

  /** `length` bytes at cell offset `index` (may span blocks); null when any of them is not in the image. */
  async read(index: number, length: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = index + done;
      const n = Math.min(BLOCK - (at % BLOCK), length - done);
      const block = await this.block(at);
      const bytes = block === null ? null : await this.blocks.read(block + BigInt(at % BLOCK), n);
      if (!bytes) return null;
      out.set(bytes, done);
      done += n;
    }
    return out;
  }

  /** A cell's data (after its size field, at most its size); null when not in the image or its size is implausible. */
  async cell(index: number): Promise<Uint8Array | null> {
    if (index === HCELL_NIL) return null;
    const head = await this.read(index, 4);
    if (!head) return null;
    const size = Math.abs(new DataView(head.buffer).getInt32(0, true));
    if (size < 8 || size > MAX_CELL) return null;
    return this.read(index + 4, size - 4);
  }
}
