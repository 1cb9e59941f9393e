import { MemscopeError } from '../errors.ts';
import { BtfKind, BtfReader } from './btf-reader.ts';
import {
  typeSize,
  type BaseTypeInfo,
  type EnumInfo,
  type FieldInfo,
  type StructInfo,
  type SymbolTable,
  type TypeDescriptor,
} from './symbol-table.ts';

/** Typedef / modifier chains longer than this are corrupt (or cyclic). */
const MAX_CHAIN = 64;
/** Pointer / array nesting in one descriptor; deeper is corrupt (or a pointer cycle). */
const MAX_DESCRIPTOR_DEPTH = 32;
const MAX_FLATTEN_DEPTH = 16;
/** Members visited while building one struct, anonymous members included; stops a hostile DAG of anonymous unions. */
const MAX_FLATTENED_MEMBERS = 65536;
const ANONYMOUS = /^unnamed_(struct|union|enum)_(\d+)$/;
const POINTER: BaseTypeInfo = { size: 8, signed: false, kind: 'int' };
const VOID: BaseTypeInfo = { size: 0, signed: false, kind: 'void' };
const VOID_TYPE: TypeDescriptor = { kind: 'base', name: 'void' };

/** Which type answers each name, chosen once over the whole blob. */
interface NameIndex {
  /** STRUCT/UNION by name, and anonymous STRUCT/UNION by the name of a typedef to it (as dwarf2json names them). */
  readonly aggregates: Map<string, number>;
  /** The typedef name an anonymous aggregate is known by. */
  readonly aliases: Map<number, string>;
  readonly enums: Map<string, number>;
  /** INT and FLOAT by name. */
  readonly bases: Map<string, number>;
}

export type BtfTypeName = { kind: 'aggregate' | 'enum' | 'base'; name: string };

/** Parses a kernel .BTF blob (__start_BTF..__stop_BTF); throws SYMBOLS_INVALID for a corrupt one, UNSUPPORTED for big-endian. */
export function parseBtf(bytes: Uint8Array, origin: string): BtfTypes {
  return new BtfTypes(new BtfReader(bytes, origin));
}

/**
 * The type half of a SymbolTable over kernel BTF, in the model dwarf2json ISFs use: typedefs and modifiers
 * resolved through (except a typedef of an anonymous struct, which names it), anonymous struct/union members
 * flattened into their parent, other anonymous types named `unnamed_<kind>_<id>`. Built per name on demand.
 */
export class BtfTypes implements Omit<SymbolTable, 'identity' | 'symbol'> {
  readonly pointerSize = 8;
  readonly origin: string;
  private index: NameIndex | undefined;
  private enumBases: Map<string, string> | undefined;
  private readonly structs = new Map<string, StructInfo | null>();
  private readonly enums = new Map<string, EnumInfo | null>();
  private readonly bases = new Map<string, BaseTypeInfo | null>();

  constructor(private readonly btf: BtfReader) {
    this.origin = btf.origin;
  }

  get typeCount(): number {
    return this.btf.typeCount;
  }

  struct(name: string): StructInfo | undefined {
    let info = this.structs.get(name);
    if (info === undefined) {
      const id = this.lookup(name, 'aggregates');
      info = id === undefined ? null : this.buildStruct(id, name);
      this.structs.set(name, info);
    }
    return info ?? undefined;
  }

  baseType(name: string): BaseTypeInfo | undefined {
    if (name === 'pointer') return POINTER;
    if (name === 'void') return VOID;
    let info = this.bases.get(name);
    if (info === undefined) {
      const id = this.names().bases.get(name);
      info = id === undefined ? null : this.buildBase(id);
      this.bases.set(name, info);
    }
    return info ?? undefined;
  }

  enumeration(name: string): EnumInfo | undefined {
    let info = this.enums.get(name);
    if (info === undefined) {
      const id = this.lookup(name, 'enums');
      info = id === undefined ? null : this.buildEnum(id);
      this.enums.set(name, info);
    }
    return info ?? undefined;
  }

  sizeOf(type: TypeDescriptor): number {
    return typeSize(this, type, (kind, name) => this.undefinedType(kind, name));
  }

  /** Every name `struct`, `enumeration` and `baseType` answer, once each (for writing the table out as an ISF). */
  *typeNames(): Generator<BtfTypeName> {
    const { aggregates, aliases, enums, bases } = this.names();
    for (const name of aggregates.keys()) yield { kind: 'aggregate', name };
    for (const name of enums.keys()) yield { kind: 'enum', name };
    for (let id = 1; id <= this.btf.typeCount; id++) {
      const kind = this.btf.kind(id);
      if ((kind === BtfKind.Struct || kind === BtfKind.Union) && !aliases.has(id) && this.btf.name(id) === '') {
        yield { kind: 'aggregate', name: this.aggregateName(id) };
      } else if ((kind === BtfKind.Enum || kind === BtfKind.Enum64) && this.btf.name(id) === '') {
        yield { kind: 'enum', name: `unnamed_enum_${id}` };
      }
    }
    yield { kind: 'base', name: 'void' };
    yield { kind: 'base', name: 'pointer' };
    for (const name of bases.keys()) yield { kind: 'base', name };
  }

  /** One pass over all types: the best type for each name. */
  private names(): NameIndex {
    if (this.index) return this.index;
    const btf = this.btf;
    const aggregates = new Map<string, number>();
    const aliases = new Map<number, string>();
    const enums = new Map<string, number>();
    const bases = new Map<string, number>();
    const typedefs: [string, number][] = [];
    for (let id = 1; id <= btf.typeCount; id++) {
      const kind = btf.kind(id);
      if (kind === BtfKind.Struct || kind === BtfKind.Union) {
        const name = btf.name(id);
        const seen = aggregates.get(name);
        if (name && (seen === undefined || (!this.complete(seen) && this.complete(id)))) aggregates.set(name, id);
      } else if (kind === BtfKind.Enum || kind === BtfKind.Enum64) {
        const name = btf.name(id);
        const seen = enums.get(name);
        if (name && (seen === undefined || (btf.vlen(seen) === 0 && btf.vlen(id) > 0))) enums.set(name, id);
      } else if (kind === BtfKind.Int || kind === BtfKind.Float) {
        const name = btf.name(id);
        if (name && !bases.has(name)) bases.set(name, id);
      } else if (kind === BtfKind.Typedef) {
        const target = btf.sizeOrType(id);
        const targetKind = btf.valid(target) ? btf.kind(target) : 0;
        if ((targetKind === BtfKind.Struct || targetKind === BtfKind.Union) && btf.name(target) === '') typedefs.push([btf.name(id), target]);
      }
    }
    // `typedef struct { ... } atomic64_t;` is struct atomic64_t, unless a real struct of that name exists. Only a
    // typedef directly of the struct names it: atomic_long_t (a typedef of atomic64_t) stays atomic64_t.
    for (const [name, target] of typedefs) {
      if (name && !aggregates.has(name) && !aliases.has(target)) {
        aggregates.set(name, target);
        aliases.set(target, name);
      }
    }
    this.index = { aggregates, aliases, enums, bases };
    return this.index;
  }

  /** A definition rather than a declaration: has members or a size. */
  private complete(id: number): boolean {
    return this.btf.vlen(id) > 0 || this.btf.sizeOrType(id) > 0;
  }

  /** Type id for a name, including the `unnamed_<kind>_<id>` names given to anonymous types. */
  private lookup(name: string, table: 'aggregates' | 'enums'): number | undefined {
    const anonymous = ANONYMOUS.exec(name);
    if (!anonymous) return this.names()[table].get(name);
    const id = Number(anonymous[2]);
    if (!this.btf.valid(id) || this.btf.name(id) !== '') return undefined;
    const kind = this.btf.kind(id);
    const matches = { struct: kind === BtfKind.Struct, union: kind === BtfKind.Union, enum: kind === BtfKind.Enum || kind === BtfKind.Enum64 };
    return matches[anonymous[1] as keyof typeof matches] ? id : undefined;
  }

  private aggregateName(id: number): string {
    return this.btf.name(id) || this.names().aliases.get(id) || `unnamed_${this.btf.kind(id) === BtfKind.Union ? 'union' : 'struct'}_${id}`;
  }

  /** Follows typedefs and modifiers to the type that gives the layout; 0 for void or a broken / cyclic chain. */
  private resolve(id: number): number {
    for (let step = 0; step < MAX_CHAIN; step++) {
      if (!this.btf.valid(id)) return 0;
      const kind = this.btf.kind(id);
      if (kind !== BtfKind.Typedef && kind !== BtfKind.Volatile && kind !== BtfKind.Const && kind !== BtfKind.Restrict && kind !== BtfKind.TypeTag)
        return id;
      id = this.btf.sizeOrType(id);
    }
    return 0;
  }

  private descriptor(id: number, depth: number): TypeDescriptor {
    const btf = this.btf;
    id = this.resolve(id);
    if (id === 0 || depth > MAX_DESCRIPTOR_DEPTH) return VOID_TYPE;
    switch (btf.kind(id)) {
      case BtfKind.Int:
      case BtfKind.Float:
        return { kind: 'base', name: btf.name(id) };
      case BtfKind.Ptr:
        return { kind: 'pointer', subtype: this.descriptor(btf.sizeOrType(id), depth + 1) };
      case BtfKind.Array:
        return { kind: 'array', count: btf.word(id, 2), subtype: this.descriptor(btf.word(id, 0), depth + 1) };
      case BtfKind.Struct:
        return { kind: 'struct', name: this.aggregateName(id) };
      case BtfKind.Union:
        return { kind: 'union', name: this.aggregateName(id) };
      case BtfKind.Fwd:
        return { kind: btf.kindFlag(id) ? 'union' : 'struct', name: btf.name(id) };
      case BtfKind.Enum:
      case BtfKind.Enum64:
        return { kind: 'enum', name: btf.name(id) || `unnamed_enum_${id}` };
      case BtfKind.Func:
      case BtfKind.FuncProto:
        return { kind: 'function' };
      default:
        return VOID_TYPE; // VAR, DATASEC, DECL_TAG describe no value type
    }
  }

  private buildStruct(id: number, name: string): StructInfo {
    const fields = new Map<string, FieldInfo>();
    const budget = { left: MAX_FLATTENED_MEMBERS };
    this.addMembers(id, 0, fields, new Set([id]), budget, name);
    return { kind: this.btf.kind(id) === BtfKind.Union ? 'union' : 'struct', size: this.btf.sizeOrType(id), fields };
  }

  /**
   * Members of aggregate `id` placed `base` bytes into the struct being built. Named members come first, then the
   * members of anonymous struct/union members, so a name nearer the top wins a clash. `open` holds the aggregates
   * being flattened, to stop a cycle.
   */
  private addMembers(id: number, base: number, fields: Map<string, FieldInfo>, open: Set<number>, budget: { left: number }, name: string): void {
    const btf = this.btf;
    const bitfieldSizes = btf.kindFlag(id);
    const count = btf.vlen(id);
    if ((budget.left -= count) < 0) btf.fail(`struct ${name}: its anonymous members expand to over ${MAX_FLATTENED_MEMBERS} fields`);
    const anonymous: [inner: number, offset: number][] = [];
    for (let m = 0; m < count; m++) {
      const memberName = btf.string(btf.word(id, m * 3), id);
      const type = btf.word(id, m * 3 + 1);
      const raw = btf.word(id, m * 3 + 2);
      const bitOffset = bitfieldSizes ? raw & 0xffffff : raw;
      if (memberName) {
        if (!fields.has(memberName)) fields.set(memberName, this.member(type, base, bitOffset, bitfieldSizes ? raw >>> 24 : 0));
        continue;
      }
      const inner = this.resolve(type);
      const innerKind = inner ? btf.kind(inner) : 0;
      if ((innerKind === BtfKind.Struct || innerKind === BtfKind.Union) && !open.has(inner) && open.size < MAX_FLATTEN_DEPTH) {
        anonymous.push([inner, base + Math.floor(bitOffset / 8)]);
      }
    }
    for (const [inner, offset] of anonymous) {
      open.add(inner);
      this.addMembers(inner, offset, fields, open, budget, name);
      open.delete(inner);
    }
  }

  /** One named member; a bitfield is placed at the start of its storage unit with its bit position inside it. */
  private member(type: number, base: number, bitOffset: number, bitSize: number): FieldInfo {
    const btf = this.btf;
    const descriptor = this.descriptor(type, 0);
    const resolved = this.resolve(type);
    const kind = resolved ? btf.kind(resolved) : 0;
    let bits = bitSize;
    let position = bitOffset;
    if (!bits && kind === BtfKind.Int) {
      // Without kind_flag a bitfield is an INT narrower than its size (or at an offset inside it).
      const encoding = btf.word(resolved, 0);
      const intBits = encoding & 0xff;
      const intOffset = (encoding >>> 16) & 0xff;
      if (intBits !== btf.sizeOrType(resolved) * 8 || intOffset) {
        bits = intBits;
        position += intOffset;
      }
    }
    if (!bits) return { offset: base + Math.floor(bitOffset / 8), type: descriptor };
    const unitSize = kind === BtfKind.Int || kind === BtfKind.Enum || kind === BtfKind.Enum64 ? btf.sizeOrType(resolved) : 0;
    const unit = unitSize >= 1 && unitSize <= 16 ? unitSize : 1;
    let offset = Math.floor(position / 8 / unit) * unit;
    // A bitfield straddling its natural storage unit (packed structs) is read from its first byte instead.
    if (position - offset * 8 + bits > unit * 8) offset = Math.floor(position / 8);
    return { offset: base + offset, type: { kind: 'bitfield', bit_position: position - offset * 8, bit_length: bits, type: descriptor } };
  }

  private buildBase(id: number): BaseTypeInfo {
    const size = this.btf.sizeOrType(id);
    if (this.btf.kind(id) === BtfKind.Float) return { size, signed: true, kind: 'float' };
    const encoding = this.btf.word(id, 0) >>> 24;
    // pahole does not set BTF_INT_CHAR; the 1-byte integers are the char types.
    const kind = encoding & 4 ? 'bool' : encoding & 2 || size === 1 ? 'char' : 'int';
    return { size, signed: (encoding & 1) !== 0, kind };
  }

  private buildEnum(id: number): EnumInfo {
    const btf = this.btf;
    const wide = btf.kind(id) === BtfKind.Enum64;
    const signed = btf.kindFlag(id);
    const stride = wide ? 3 : 2;
    const constants = new Map<string, number>();
    let negative = false;
    for (let m = 0; m < btf.vlen(id); m++) {
      const low = btf.word(id, m * stride + 1);
      const value = !wide
        ? signed
          ? btf.signedWord(id, m * stride + 1)
          : low
        : Number((BigInt(signed ? btf.signedWord(id, m * stride + 2) : btf.word(id, m * stride + 2)) << 32n) | BigInt(low));
      negative ||= value < 0;
      constants.set(btf.string(btf.word(id, m * stride), id), value);
    }
    const size = btf.sizeOrType(id);
    return { size, base: this.enumBase(size, negative), constants };
  }

  /**
   * dwarf2json's choice of an enum's base type: the first base type name in sorted order that is an 'int' of the
   * enum's size, signed when a constant is negative; else a char type of that size and sign; else void.
   */
  private enumBase(size: number, signed: boolean): string {
    if (!this.enumBases) {
      this.enumBases = new Map();
      const sorted = [...this.names().bases.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const pass of ['int', 'char'] as const) {
        for (const name of sorted) {
          const info = this.baseType(name)!;
          const key = `${info.size}:${info.signed}`;
          if (info.kind === pass && !this.enumBases.has(key)) this.enumBases.set(key, name);
        }
      }
    }
    return this.enumBases.get(`${size}:${signed}`) ?? 'void';
  }

  private undefinedType(kind: string, name: string): never {
    throw new MemscopeError('SYMBOLS_INVALID', `${kind} ${name} is referenced but not defined in the kernel BTF`, this.origin);
  }
}
