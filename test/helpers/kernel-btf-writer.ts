// Test helper: encodes BTF (include/uapi/linux/btf.h) type by type; ids are assigned in call order from 1.

type Member = readonly [name: string, type: number, bitOffset: number, bitSize?: number];

export class BtfWriter {
  private readonly strings: number[] = [0];
  private readonly stringOffsets = new Map<string, number>([['', 0]]);
  private readonly types: number[][] = [];

  private str(s: string): number {
    let at = this.stringOffsets.get(s);
    if (at === undefined) {
      at = this.strings.length;
      this.strings.push(...new TextEncoder().encode(s), 0);
      this.stringOffsets.set(s, at);
    }
    return at;
  }

  private add(name: string, kind: number, vlen: number, kindFlag: boolean, sizeOrType: number, extra: number[] = []): number {
    this.types.push([this.str(name), ((kindFlag ? 1 : 0) << 31) | (kind << 24) | vlen, sizeOrType, ...extra]);
    return this.types.length;
  }

  int(name: string, size: number, encoding: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; offset?: number } = {}): number {
    const enc = ((encoding.signed ? 1 : 0) | (encoding.char ? 2 : 0) | (encoding.bool ? 4 : 0)) << 24;
    return this.add(name, 1, 0, false, size, [enc | ((encoding.offset ?? 0) << 16) | (encoding.bits ?? size * 8)]);
  }
  ptr(type: number): number {
    return this.add('', 2, 0, false, type);
  }
  array(element: number, count: number, index = 0): number {
    return this.add('', 3, 0, false, 0, [element, index, count]);
  }
  /** Members: [name, type, bit offset, bitfield size]; a bitfield size sets kind_flag. */
  struct(name: string, size: number, members: readonly Member[], union = false): number {
    const kindFlag = members.some((m) => (m[3] ?? 0) > 0);
    const extra = members.flatMap(([n, type, bitOffset, bitSize]) => [this.str(n), type, kindFlag ? ((bitSize ?? 0) << 24) | bitOffset : bitOffset]);
    return this.add(name, union ? 5 : 4, members.length, kindFlag, size, extra);
  }
  enum(name: string, size: number, values: readonly [string, number][], signed = false): number {
    return this.add(name, 6, values.length, signed, size, values.flatMap(([n, v]) => [this.str(n), v]));
  }
  enum64(name: string, values: readonly [string, bigint][]): number {
    return this.add(name, 19, values.length, false, 8, values.flatMap(([n, v]) => [this.str(n), Number(v & 0xffffffffn), Number(v >> 32n)]));
  }
  fwd(name: string, union = false): number {
    return this.add(name, 7, 0, union, 0);
  }
  typedef(name: string, type: number): number {
    return this.add(name, 8, 0, false, type);
  }
  volatile(type: number): number {
    return this.add('', 9, 0, false, type);
  }
  const(type: number): number {
    return this.add('', 10, 0, false, type);
  }
  funcProto(returns: number, params: readonly number[]): number {
    return this.add('', 13, params.length, false, returns, params.flatMap((p) => [0, p]));
  }
  /** A type with an arbitrary kind number (to test unknown kinds). */
  raw(kind: number): number {
    return this.add('', kind, 0, false, 0);
  }
  /** Replaces the referenced type of a typedef/modifier already written (to build cycles). */
  retarget(id: number, type: number): void {
    this.types[id - 1]![2] = type;
  }

  build(): Uint8Array {
    const typeWords = this.types.flat();
    const typeLen = typeWords.length * 4;
    const out = new Uint8Array(24 + typeLen + this.strings.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    dv.setUint8(2, 1);
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, this.strings.length, true);
    typeWords.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, true));
    out.set(this.strings, 24 + typeLen);
    return out;
  }
}
