import type { WindowsKernelContext } from '../../../plugins/api.ts';
import type { Warn } from '../../../plugins/plugin.ts';
import { HCELL_NIL, type HiveSpace, VOLATILE_BIT } from './hive-space.ts';

const KEY_COMP_NAME = 0x20;
const VALUE_COMP_NAME = 0x01;
const INLINE_DATA = 0x8000_0000;
/** A db cell's segments hold at most this many bytes each. */
const BIG_DATA_SEGMENT = 16344;
/** Most subkeys, values or list cells read from one key (the format allows no more than 2^32, real keys far fewer). */
const MAX_ENTRIES = 1 << 16;
const MAX_DATA = 16 << 20;

/** An nk cell. */
export interface KeyNode {
  readonly index: number;
  readonly name: string;
  readonly lastWrite: bigint;
  /** Its cell is in the volatile storage. */
  readonly volatile: boolean;
  readonly subkeyLists: readonly [number, number];
  readonly valueCount: number;
  readonly valueList: number;
}

/** A vk cell. */
export interface ValueNode {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** The data; null when it is not in the image (or its length is implausible). */
  readonly data: Uint8Array | null;
}

const signature = (bytes: Uint8Array): string => String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);

function cellName(bytes: Uint8Array, at: number, length: number, compressed: boolean): string {
  const raw = bytes.subarray(at, Math.min(bytes.length, at + length));
  return compressed ? String.fromCharCode(...raw) : new TextDecoder('utf-16le').decode(raw);
}

/** Reads keys and values of one hive with the symbol table's _CM_KEY_NODE / _CM_KEY_VALUE layouts. */
export class HiveKeys {
  constructor(
    private readonly kernel: WindowsKernelContext,
    readonly space: HiveSpace,
    private readonly warn: Warn,
  ) {}

  private field(struct: string, path: string): number {
    return this.kernel.fieldOffset(struct, path);
  }

  /** The key node at `index`; null when its cell is not in the image or is not an nk cell. */
  async key(index: number): Promise<KeyNode | null> {
    const T = '_CM_KEY_NODE';
    const cell = await this.space.cell(index);
    if (!cell || signature(cell) !== 'nk' || cell.length < this.field(T, 'Name')) return null;
    const dv = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
    const u32 = (path: string, plus = 0): number => dv.getUint32(this.field(T, path) + plus, true);
    const flags = dv.getUint16(this.field(T, 'Flags'), true);
    return {
      index,
      name: cellName(cell, this.field(T, 'Name'), dv.getUint16(this.field(T, 'NameLength'), true), (flags & KEY_COMP_NAME) !== 0),
      lastWrite: dv.getBigUint64(this.field(T, 'LastWriteTime'), true),
      volatile: index >= VOLATILE_BIT,
      subkeyLists: [u32('SubKeyLists'), u32('SubKeyLists', 4)],
      valueCount: u32('ValueList.Count'),
      valueList: u32('ValueList.List'),
    };
  }

  /**
   * The cell indexes of a key's subkeys: its stable list, then its volatile one, through lf/lh (index + hint), li
   * (indexes) and ri (lists of those) cells. Each list cell is read once; unreadable lists are warned about.
   */
  async subkeyIndexes(key: KeyNode, about: string): Promise<number[]> {
    const out: number[] = [];
    const seen = new Set<number>();
    const walk = async (list: number, nested: boolean): Promise<void> => {
      if (list === HCELL_NIL || seen.has(list) || out.length >= MAX_ENTRIES) {
        if (seen.has(list))
          this.warn({ code: 'SMEAR', message: `${about}: subkey list cell 0x${list.toString(16)} is listed twice (a loop): read once` });
        return;
      }
      seen.add(list);
      const cell = await this.space.cell(list);
      if (!cell) {
        this.warn({
          code: 'UNREADABLE',
          message: `${about}: subkey list cell 0x${list.toString(16)} is not in memory (paged-out bin): its subkeys are missing`,
        });
        return;
      }
      const kind = signature(cell);
      const dv = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
      const count = Math.min(dv.getUint16(2, true), MAX_ENTRIES);
      const stride = kind === 'lf' || kind === 'lh' ? 8 : kind === 'li' || kind === 'ri' ? 4 : 0;
      if (stride === 0 || (kind === 'ri' && nested)) {
        this.warn({ code: 'SMEAR', message: `${about}: cell 0x${list.toString(16)} is not a subkey list ('${kind}')` });
        return;
      }
      for (let i = 0; i < count && 4 + i * stride + 4 <= cell.length; i++) {
        const entry = dv.getUint32(4 + i * stride, true);
        if (kind === 'ri') await walk(entry, true);
        else if (out.length < MAX_ENTRIES) out.push(entry);
      }
      if (out.length >= MAX_ENTRIES) this.warn({ code: 'LIMIT', message: `${about}: more than ${MAX_ENTRIES} subkeys: the rest left out` });
    };
    for (const list of key.subkeyLists) await walk(list, false);
    return out;
  }

  /** A subkey whose nk cell could not be read: paged out, or not a key. */
  warnMissing(about: string, index: number): void {
    this.warn({
      code: 'UNREADABLE',
      message: `${about}: subkey cell 0x${index.toString(16)} is not in memory (paged-out bin) or not a key (nk): left out`,
    });
  }

  /** A key's values in value-list order; values whose vk cell is not in the image are warned about. */
  async values(key: KeyNode, about: string): Promise<ValueNode[]> {
    if (key.valueCount === 0 || key.valueList === HCELL_NIL) return [];
    const count = Math.min(key.valueCount, MAX_ENTRIES);
    const list = await this.space.read(key.valueList + 4, count * 4);
    if (!list) {
      this.warn({
        code: 'UNREADABLE',
        message: `${about}: its value list (cell 0x${key.valueList.toString(16)}) is not in memory: ${count} values missing`,
      });
      return [];
    }
    const dv = new DataView(list.buffer);
    const out: ValueNode[] = [];
    for (let i = 0; i < count; i++) {
      const index = dv.getUint32(i * 4, true);
      const value = index === 0 ? null : await this.value(index);
      if (value) out.push(value);
      else this.warn({ code: 'UNREADABLE', message: `${about}: value cell 0x${index.toString(16)} is not in memory or not a value (vk)` });
    }
    return out;
  }

  private async value(index: number): Promise<ValueNode | null> {
    const T = '_CM_KEY_VALUE';
    const cell = await this.space.cell(index);
    if (!cell || signature(cell) !== 'vk' || cell.length < this.field(T, 'Name')) return null;
    const dv = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
    const flags = dv.getUint16(this.field(T, 'Flags'), true);
    const length = dv.getUint32(this.field(T, 'DataLength'), true);
    const dataAt = this.field(T, 'Data');
    let data: Uint8Array | null;
    if (length & INLINE_DATA) {
      const n = length & 0x7fff_ffff;
      data = n <= 4 ? cell.slice(dataAt, dataAt + n) : null;
    } else {
      data = await this.data(dv.getUint32(dataAt, true), length);
    }
    return {
      index,
      name: cellName(cell, this.field(T, 'Name'), dv.getUint16(this.field(T, 'NameLength'), true), (flags & VALUE_COMP_NAME) !== 0),
      type: dv.getUint32(this.field(T, 'Type'), true),
      data,
    };
  }

  /** Data of `length` bytes at cell `index`: the cell itself, or a db cell's segments in format 1.5 hives. */
  private async data(index: number, length: number): Promise<Uint8Array | null> {
    if (length > MAX_DATA) return null;
    if (length === 0) return new Uint8Array(0);
    if (length > BIG_DATA_SEGMENT && this.space.version >= 4) {
      const db = await this.space.cell(index);
      if (db && signature(db) === 'db') {
        const T = '_CM_BIG_DATA';
        const ddv = new DataView(db.buffer, db.byteOffset, db.byteLength);
        const count = ddv.getUint16(this.field(T, 'Count'), true);
        const segments = await this.space.read(ddv.getUint32(this.field(T, 'List'), true) + 4, count * 4);
        if (!segments) return null;
        const out = new Uint8Array(length);
        for (let i = 0, done = 0; i < count && done < length; i++) {
          const n = Math.min(BIG_DATA_SEGMENT, length - done);
          const part = await this.space.read(new DataView(segments.buffer).getUint32(i * 4, true) + 4, n);
          if (!part) return null;
          out.set(part, done);
          done += n;
        }
        return out;
      }
    }
    return this.space.read(index + 4, length);
  }
}
