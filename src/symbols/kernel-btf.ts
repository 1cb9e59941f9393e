import { MemscopeError } from '../errors.ts';
import type { BaseTypeInfo, EnumInfo, FieldInfo, StructInfo, TypeDescriptor } from './symbol-table.ts';

/** BTF kinds (include/uapi/linux/btf.h). */
const enum Kind {
  Int = 1,
  Ptr,
  Array,
  Struct,
  Union,
  Enum,
  Fwd,
  Typedef,
  Volatile,
  Const,
  Restrict,
  Func,
  FuncProto,
  Var,
  Datasec,
  Float,
  DeclTag,
  TypeTag,
  Enum64,
}

const MAGIC = 0xeb9f;
const HEADER_MIN = 24;
const TYPE_HEADER = 12;
/** Typedef / modifier chains longer than this are corrupt (or cyclic). */
const MAX_CHAIN = 64;
const MAX_FLATTEN_DEPTH = 16;
const ANONYMOUS = /^unnamed_(struct|union|enum)_(\d+)$/;
const utf8 = new TextDecoder('utf-8');

/**
 * Kernel BTF type information (the .BTF section, __start_BTF..__stop_BTF) in the ISF type model: typedefs and
 * modifiers resolved through, anonymous struct/union members flattened into their parent as Volatility does
 * for dwarf2json ISFs, anonymous types named `unnamed_<kind>_<id>`. Types are indexed once, built on demand.
 */
export class KernelBtf {
  readonly pointerSize = 8;
  private readonly dv: DataView;
  /** Byte offset of each type record in the blob, by type id (id 0 = void has none). */
  private readonly offsets: Uint32Array;
  private readonly typesEnd: number;
  private readonly stringsStart: number;
  private readonly stringsEnd: number;
  private names: Map<string, number[]> | undefined;
  private readonly structs = new Map<string, StructInfo | null>();
  private readonly enums = new Map<string, EnumInfo | null>();

  constructor(
    private readonly bytes: Uint8Array,
    readonly origin: string,
  ) {
    const fail = (why: string): never => {
      throw new MemscopeError('SYMBOLS_INVALID', `kernel BTF ${why}`, origin);
    };
    if (bytes.length < HEADER_MIN) fail('is too short');
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = this.dv.getUint16(0, true);
    if (magic === 0x9feb) throw new MemscopeError('UNSUPPORTED', 'big-endian kernel BTF: only x86-64 (little-endian) kernels are supported', origin);
    if (magic !== MAGIC) fail(`has a bad magic 0x${magic.toString(16)} (expected 0xeb9f)`);
    const headerLength = this.dv.getUint32(4, true);
    const [typeOff, typeLen, strOff, strLen] = [8, 12, 16, 20].map((at) => this.dv.getUint32(at, true)) as [number, number, number, number];
    if (headerLength < HEADER_MIN || headerLength > bytes.length) fail(`header length ${headerLength} is invalid`);
    const typesStart = headerLength + typeOff;
    this.typesEnd = typesStart + typeLen;
    this.stringsStart = headerLength + strOff;
    this.stringsEnd = this.stringsStart + strLen;
    if (this.typesEnd > bytes.length || this.stringsEnd > bytes.length) fail('sections run past the end of the data (truncated?)');
    this.offsets = this.index(typesStart, fail);
  }

  get typeCount(): number {
    return this.offsets.length - 1;
  }

  /** One pass over the type section recording where each type starts. */
  private index(start: number, fail: (why: string) => never): Uint32Array {
    const found: number[] = [0];
    let at = start;
    while (at < this.typesEnd) {
      if (at + TYPE_HEADER > this.typesEnd) fail(`type ${found.length} is cut off`);
      found.push(at);
      const info = this.dv.getUint32(at + 4, true);
      at += TYPE_HEADER + extraSize((info >>> 24) & 0x1f, info & 0xffff, () => fail(`type ${found.length - 1} has unknown kind ${(info >>> 24) & 0x1f}`));
    }
    if (at !== this.typesEnd) fail('type section ends inside a type');
    return Uint32Array.from(found);
  }

  private kind(id: number): Kind {
    return (this.dv.getUint32(this.offsets[id]! + 4, true) >>> 24) & 0x1f;
  }

  private vlen(id: number): number {
    return this.dv.getUint32(this.offsets[id]! + 4, true) & 0xffff;
  }

  private kindFlag(id: number): boolean {
    return (this.dv.getUint32(this.offsets[id]! + 4, true) & 0x80000000) !== 0;
  }

  /** size (INT, STRUCT, UNION, ENUM, FLOAT, DATASEC) or referenced type id (the rest). */
  private sizeOrType(id: number): number {
    return this.dv.getUint32(this.offsets[id]! + 8, true);
  }

  private string(offset: number): string {
    const at = this.stringsStart + offset;
    if (offset === 0 || at >= this.stringsEnd) return '';
    let end = at;
    while (end < this.stringsEnd && this.bytes[end] !== 0) end++;
    return utf8.decode(this.bytes.subarray(at, end));
  }

  private name(id: number): string {
    return this.string(this.dv.getUint32(this.offsets[id]!, true));
  }

  private valid(id: number): boolean {
    return id > 0 && id < this.offsets.length;
  }

  /** Name → type ids, for the kinds looked up by name. */
  private byName(name: string): number[] {
    if (!this.names) {
      this.names = new Map();
      for (let id = 1; id < this.offsets.length; id++) {
        const kind = this.kind(id);
        if (kind === Kind.Struct || kind === Kind.Union || kind === Kind.Enum || kind === Kind.Enum64 || kind === Kind.Int || kind === Kind.Float) {
          const n = this.name(id);
          if (n) this.names.set(n, [...(this.names.get(n) ?? []), id]);
        }
      }
    }
    return this.names.get(name) ?? [];
  }

  /** Every type by the name this table answers to, for export: aggregates, enums and base types. */
  *typeNames(): Generator<{ kind: 'aggregate' | 'enum' | 'base'; name: string }> {
    const seen = new Set<string>();
    for (let id = 1; id < this.offsets.length; id++) {
      const kind = this.kind(id);
      const entry =
        kind === Kind.Struct || kind === Kind.Union
          ? { kind: 'aggregate' as const, name: this.typeName(id, kind === Kind.Struct ? 'struct' : 'union') }
          : kind === Kind.Enum || kind === Kind.Enum64
            ? { kind: 'enum' as const, name: this.typeName(id, 'enum') }
            : kind === Kind.Int || kind === Kind.Float
              ? { kind: 'base' as const, name: this.name(id) }
              : undefined;
      if (entry && !seen.has(`${entry.kind}:${entry.name}`)) {
        seen.add(`${entry.kind}:${entry.name}`);
        yield entry;
      }
    }
  }

  /** Follows typedefs and modifiers to the type that gives the layout; 0 for void or a broken chain. */
  private resolve(id: number): number {
    for (let step = 0; step < MAX_CHAIN; step++) {
      if (!this.valid(id)) return 0;
      const kind = this.kind(id);
      if (kind !== Kind.Typedef && kind !== Kind.Volatile && kind !== Kind.Const && kind !== Kind.Restrict && kind !== Kind.TypeTag) return id;
      id = this.sizeOrType(id);
    }
    return 0;
  }

  /** The type's name in this table: its own, or `unnamed_<kind>_<id>` for anonymous aggregates and enums. */
  private typeName(id: number, kind: string): string {
    return this.name(id) || `unnamed_${kind}_${id}`;
  }

  descriptor(id: number, depth = 0): TypeDescriptor {
    id = this.resolve(id);
    if (id === 0 || depth > MAX_CHAIN) return { kind: 'base', name: 'void' };
    switch (this.kind(id)) {
      case Kind.Int:
      case Kind.Float:
        return { kind: 'base', name: this.name(id) };
      case Kind.Ptr:
        return { kind: 'pointer', subtype: this.descriptor(this.sizeOrType(id), depth + 1) };
      case Kind.Array: {
        const at = this.offsets[id]! + TYPE_HEADER;
        return { kind: 'array', count: this.dv.getUint32(at + 8, true), subtype: this.descriptor(this.dv.getUint32(at, true), depth + 1) };
      }
      case Kind.Struct:
        return { kind: 'struct', name: this.typeName(id, 'struct') };
      case Kind.Union:
        return { kind: 'union', name: this.typeName(id, 'union') };
      case Kind.Fwd:
        return { kind: this.kindFlag(id) ? 'union' : 'struct', name: this.name(id) };
      case Kind.Enum:
      case Kind.Enum64:
        return { kind: 'enum', name: this.typeName(id, 'enum') };
      case Kind.FuncProto:
      case Kind.Func:
        return { kind: 'function' };
      default:
        return { kind: 'base', name: 'void' };
    }
  }

  /** The aggregate a name denotes: a complete STRUCT/UNION wins over forward declarations and empty ones. */
  private aggregateId(name: string): number | undefined {
    const anonymous = ANONYMOUS.exec(name);
    if (anonymous) {
      const id = Number(anonymous[2]);
      const kind = this.valid(id) ? this.kind(id) : 0;
      return kind === Kind.Struct || kind === Kind.Union ? id : undefined;
    }
    const ids = this.byName(name).filter((id) => this.kind(id) === Kind.Struct || this.kind(id) === Kind.Union);
    return ids.find((id) => this.vlen(id) > 0) ?? ids[0];
  }

  struct(name: string): StructInfo | undefined {
    let info = this.structs.get(name);
    if (info === undefined) {
      const id = this.aggregateId(name);
      info = id === undefined ? null : this.buildStruct(id);
      this.structs.set(name, info);
    }
    return info ?? undefined;
  }

  private buildStruct(id: number): StructInfo {
    const fields = new Map<string, FieldInfo>();
    this.addMembers(id, 0, fields, 0);
    return { kind: this.kind(id) === Kind.Union ? 'union' : 'struct', size: this.sizeOrType(id), fields };
  }

  /** Members of aggregate `id` at `base` bytes into the parent; anonymous aggregates are flattened (named members win). */
  private addMembers(id: number, base: number, fields: Map<string, FieldInfo>, depth: number): void {
    const bitfieldSizes = this.kindFlag(id);
    for (let m = 0; m < this.vlen(id); m++) {
      const at = this.offsets[id]! + TYPE_HEADER + m * 12;
      const name = this.string(this.dv.getUint32(at, true));
      const type = this.dv.getUint32(at + 4, true);
      const raw = this.dv.getUint32(at + 8, true);
      const bitOffset = bitfieldSizes ? raw & 0xffffff : raw;
      const bitSize = bitfieldSizes ? raw >>> 24 : 0;
      if (!name) {
        const inner = this.resolve(type);
        const kind = inner ? this.kind(inner) : 0;
        if ((kind === Kind.Struct || kind === Kind.Union) && depth < MAX_FLATTEN_DEPTH) {
          const nested = new Map<string, FieldInfo>();
          this.addMembers(inner, base + Math.floor(bitOffset / 8), nested, depth + 1);
          for (const [n, f] of nested) if (!fields.has(n)) fields.set(n, f);
        }
        continue;
      }
      fields.set(name, this.member(type, base, bitOffset, bitSize));
    }
  }

  private member(type: number, base: number, bitOffset: number, bitSize: number): FieldInfo {
    const descriptor = this.descriptor(type);
    const resolved = this.resolve(type);
    let bits = bitSize;
    let bitInType = 0;
    if (!bits && resolved && this.kind(resolved) === Kind.Int) {
      // Old-style bitfields: the INT encoding carries the width and offset.
      const encoding = this.dv.getUint32(this.offsets[resolved]! + TYPE_HEADER, true);
      const nrBits = encoding & 0xff;
      bitInType = (encoding >>> 16) & 0xff;
      if (nrBits !== this.sizeOrType(resolved) * 8 || bitInType) bits = nrBits;
    }
    if (!bits) return { offset: base + Math.floor(bitOffset / 8), type: descriptor };
    const storage = Math.max(1, resolved && (this.kind(resolved) === Kind.Int || this.kind(resolved) === Kind.Enum) ? this.sizeOrType(resolved) : 4);
    const absolute = bitOffset + bitInType;
    let offset = Math.floor(absolute / 8 / storage) * storage;
    // A bitfield that straddles its natural storage unit is read from its first byte instead.
    if (absolute - offset * 8 + bits > storage * 8) offset = Math.floor(absolute / 8);
    return { offset: base + offset, type: { kind: 'bitfield', bit_position: absolute - offset * 8, bit_length: bits, type: descriptor } };
  }

  baseType(name: string): BaseTypeInfo | undefined {
    if (name === 'pointer') return { size: 8, signed: false, kind: 'int' };
    if (name === 'void') return { size: 0, signed: false, kind: 'void' };
    const id = this.byName(name).find((i) => this.kind(i) === Kind.Int || this.kind(i) === Kind.Float);
    if (id === undefined) return undefined;
    const size = this.sizeOrType(id);
    if (this.kind(id) === Kind.Float) return { size, signed: true, kind: 'float' };
    const encoding = this.dv.getUint32(this.offsets[id]! + TYPE_HEADER, true) >>> 24;
    return { size, signed: (encoding & 1) !== 0, kind: encoding & 4 ? 'bool' : encoding & 2 || size === 1 ? 'char' : 'int' };
  }

  enumeration(name: string): EnumInfo | undefined {
    let info = this.enums.get(name);
    if (info === undefined) {
      const anonymous = ANONYMOUS.exec(name);
      const ids = anonymous ? [Number(anonymous[2])].filter((i) => this.valid(i)) : this.byName(name);
      const id = ids.find((i) => this.kind(i) === Kind.Enum || this.kind(i) === Kind.Enum64);
      info = id === undefined ? null : this.buildEnum(id);
      this.enums.set(name, info);
    }
    return info ?? undefined;
  }

  private buildEnum(id: number): EnumInfo {
    const wide = this.kind(id) === Kind.Enum64;
    const signed = this.kindFlag(id);
    const constants = new Map<string, number>();
    for (let m = 0; m < this.vlen(id); m++) {
      const at = this.offsets[id]! + TYPE_HEADER + m * (wide ? 12 : 8);
      const low = signed ? this.dv.getInt32(at + 4, true) : this.dv.getUint32(at + 4, true);
      const value = wide ? Number((BigInt(signed ? this.dv.getInt32(at + 8, true) : this.dv.getUint32(at + 8, true)) << 32n) | BigInt(this.dv.getUint32(at + 4, true))) : low;
      constants.set(this.string(this.dv.getUint32(at, true)), value);
    }
    const size = this.sizeOrType(id);
    return { size, base: `${signed ? '' : 'unsigned '}${size === 8 ? 'long' : 'int'}`, constants };
  }

  sizeOf(type: TypeDescriptor): number {
    switch (type.kind) {
      case 'base':
        return this.baseType(type.name)?.size ?? 0;
      case 'pointer':
        return 8;
      case 'struct':
      case 'union':
      case 'class':
        return this.struct(type.name)?.size ?? 0;
      case 'enum':
        return this.enumeration(type.name)?.size ?? 4;
      case 'array':
        return type.count * this.sizeOf(type.subtype);
      case 'bitfield':
        return this.sizeOf(type.type);
      case 'function':
        return 0;
    }
  }
}

/** Bytes that follow the 12-byte header of a type of this kind with `vlen` entries. */
function extraSize(kind: number, vlen: number, unknown: () => never): number {
  switch (kind) {
    case Kind.Int:
    case Kind.Var:
    case Kind.DeclTag:
      return 4;
    case Kind.Ptr:
    case Kind.Fwd:
    case Kind.Typedef:
    case Kind.Volatile:
    case Kind.Const:
    case Kind.Restrict:
    case Kind.Func:
    case Kind.Float:
    case Kind.TypeTag:
      return 0;
    case Kind.Array:
      return 12;
    case Kind.Struct:
    case Kind.Union:
    case Kind.Datasec:
    case Kind.Enum64:
      return vlen * 12;
    case Kind.Enum:
    case Kind.FuncProto:
      return vlen * 8;
    default:
      return unknown();
  }
}
