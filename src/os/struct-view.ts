import type { StructReader } from '../plugins/api/memory.ts';
import { cString } from './c-string.ts';
import type { StructLayout } from './struct-layout.ts';

/** Typed field access over the bytes of one structure instance read from memory. */
export class StructView implements StructReader {
  private readonly dv: DataView;

  constructor(
    private readonly layout: StructLayout,
    readonly struct: string,
    readonly bytes: Uint8Array,
    /** Where the structure was read from (virtual or physical, as the reader knows). */
    readonly address: bigint,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  has(path: string): boolean {
    return this.layout.has(this.struct, path);
  }

  offsetOf(path: string): number {
    return this.layout.offset(this.struct, path);
  }

  /** Address of a field (for list heads: the address a Flink points back to). */
  addressOf(path: string): bigint {
    return this.address + BigInt(this.offsetOf(path));
  }

  u8(path: string): number {
    return this.dv.getUint8(this.offsetOf(path));
  }

  u16(path: string): number {
    return this.dv.getUint16(this.offsetOf(path), true);
  }

  u32(path: string): number {
    return this.dv.getUint32(this.offsetOf(path), true);
  }

  u64(path: string): bigint {
    return this.dv.getBigUint64(this.offsetOf(path), true);
  }

  /** Integer value of a base-type or bitfield member (bitfields are extracted from their storage unit). */
  int(path: string): number {
    const f = this.layout.field(this.struct, path);
    const storage = f.type.kind === 'bitfield' ? f.type.type : f.type;
    const size = this.layout.table.sizeOf(storage);
    const raw = size === 1 ? this.dv.getUint8(f.offset) : size === 2 ? this.dv.getUint16(f.offset, true) : this.dv.getUint32(f.offset, true);
    if (f.type.kind !== 'bitfield') return raw;
    return Number((BigInt(raw) >> BigInt(f.type.bit_position)) & ((1n << BigInt(f.type.bit_length)) - 1n));
  }

  text(path: string): string {
    return cString(this.raw(path));
  }

  /** Raw bytes of a field (arrays such as ImageFileName). */
  raw(path: string): Uint8Array {
    const off = this.offsetOf(path);
    return this.bytes.subarray(off, off + this.layout.fieldSize(this.struct, path));
  }
}
