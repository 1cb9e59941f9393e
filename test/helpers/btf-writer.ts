// Test helper: a small BTF encoder (include/uapi/linux/btf.h), little-endian. Type ids are assigned in call order from 1.

/** [name, type id, bit offset, bitfield size (0 = not a bitfield)] */
export type BtfMember = readonly [name: string, type: number, bitOffset: number, bitSize?: number];

export const BTF_HEADER_SIZE = 24;

export class BtfWriter {
  private readonly strings: number[] = [0];
  private readonly stringOffsets = new Map<string, number>([['', 0]]);
  private readonly types: number[][] = [];

  str(s: string): number {
    let at = this.stringOffsets.get(s);
    if (at === undefined) {
      at = this.strings.length;
      this.strings.push(...new TextEncoder().encode(s), 0);
      this.stringOffsets.set(s, at);
    }
    return at;
  }

  /** Any record: header words plus the kind's extra words, exactly as given. */
  type(name: string, kind: number, vlen: number, kindFlag: boolean, sizeOrType: number, extra: readonly number[] = []): number {
    this.types.push([this.str(name), (((kindFlag ? 1 : 0) << 31) | (kind << 24) | vlen) >>> 0, sizeOrType >>> 0, ...extra.map((w) => w >>> 0)]);
    return this.types.length;
  }

  int(name: string, size: number, encoding: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; offset?: number } = {}): number {
    const flags = (encoding.signed ? 1 : 0) | (encoding.char ? 2 : 0) | (encoding.bool ? 4 : 0);
    return this.type(name, 1, 0, false, size, [(flags << 24) | ((encoding.offset ?? 0) << 16) | (encoding.bits ?? size * 8)]);
  }
  ptr(type: number): number {
    return this.type('', 2, 0, false, type);
  }
  array(element: number, count: number, indexType = 0): number {
    return this.type('', 3, 0, false, 0, [element, indexType, count]);
  }
  /** kind_flag is set when any member has a bitfield size, or when asked (then offsets carry a size of 0). */
  struct(name: string, size: number, members: readonly BtfMember[], options: { union?: boolean; kindFlag?: boolean } = {}): number {
    const kindFlag = options.kindFlag ?? members.some((m) => (m[3] ?? 0) > 0);
    const extra = members.flatMap(([n, type, bitOffset, bitSize]) => [this.str(n), type, kindFlag ? ((bitSize ?? 0) << 24) | bitOffset : bitOffset]);
    return this.type(name, options.union ? 5 : 4, members.length, kindFlag, size, extra);
  }
  union(name: string, size: number, members: readonly BtfMember[]): number {
    return this.struct(name, size, members, { union: true });
  }
  enum(name: string, size: number, values: readonly [string, number][], signed = false): number {
    return this.type(
      name,
      6,
      values.length,
      signed,
      size,
      values.flatMap(([n, v]) => [this.str(n), v]),
    );
  }
  enum64(name: string, values: readonly [string, bigint][], signed = false): number {
    return this.type(
      name,
      19,
      values.length,
      signed,
      8,
      values.flatMap(([n, v]) => [this.str(n), Number(BigInt.asUintN(32, v)), Number(BigInt.asUintN(32, v >> 32n))]),
    );
  }
  fwd(name: string, union = false): number {
    return this.type(name, 7, 0, union, 0);
  }
  typedef(name: string, type: number): number {
    return this.type(name, 8, 0, false, type);
  }
  volatile(type: number): number {
    return this.type('', 9, 0, false, type);
  }
  const(type: number): number {
    return this.type('', 10, 0, false, type);
  }
  restrict(type: number): number {
    return this.type('', 11, 0, false, type);
  }
  func(name: string, proto: number): number {
    return this.type(name, 12, 1, false, proto);
  }
  funcProto(returns: number, params: readonly [string, number][]): number {
    return this.type(
      '',
      13,
      params.length,
      false,
      returns,
      params.flatMap(([n, p]) => [this.str(n), p]),
    );
  }
  variable(name: string, type: number): number {
    return this.type(name, 14, 0, false, type, [1]);
  }
  datasec(name: string, size: number, vars: readonly [type: number, offset: number, size: number][]): number {
    return this.type(name, 15, vars.length, false, size, vars.flat());
  }
  float(name: string, size: number): number {
    return this.type(name, 16, 0, false, size);
  }
  declTag(value: string, type: number, componentIndex = -1): number {
    return this.type(value, 17, 0, false, type, [componentIndex]);
  }
  typeTag(value: string, type: number): number {
    return this.type(value, 18, 0, false, type);
  }
  /** Points member `index` of a struct/union already written at another type (to build cycles). */
  setMemberType(id: number, index: number, type: number): void {
    this.types[id - 1]![3 + index * 3 + 1] = type;
  }
  /** Points a typedef/modifier/pointer already written at another type (to build cycles). */
  retarget(id: number, type: number): void {
    this.types[id - 1]![2] = type;
  }

  /** Header, type section, string section, in that order. */
  build(): Uint8Array {
    const words = this.types.flat();
    const typeLen = words.length * 4;
    const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + this.strings.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    dv.setUint8(2, 1);
    dv.setUint32(4, BTF_HEADER_SIZE, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, this.strings.length, true);
    words.forEach((w, i) => dv.setUint32(BTF_HEADER_SIZE + i * 4, w, true));
    out.set(this.strings, BTF_HEADER_SIZE + typeLen);
    return out;
  }
}
