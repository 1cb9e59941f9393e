import { MemscopeError } from '../errors.ts';
import { symbolFileText } from './symbol-file-text.ts';
import {
  linuxIdentity,
  typeSize,
  type BaseTypeInfo,
  type EnumInfo,
  type FieldInfo,
  type StructInfo,
  type SymbolIdentity,
  type SymbolTable,
  type TypeDescriptor,
} from './symbol-table.ts';

/** Volatility 3 ISF major version this reader understands (minor versions only add). */
const SUPPORTED_MAJOR = 6;
/** Inline nesting of one type descriptor (array of array of pointer ...). Real tables stay under 5. */
const MAX_DESCRIPTOR_DEPTH = 32;
/** Anonymous struct/union members folded into their parent, as Volatility does from ISF 6.2. */
const MAX_ANONYMOUS_DEPTH = 16;
const SECTIONS = ['metadata', 'base_types', 'user_types', 'enums', 'symbols'] as const;
const BASE_KINDS: ReadonlySet<string> = new Set(['int', 'char', 'bool', 'float', 'void']);
const AGGREGATE_KINDS: ReadonlySet<string> = new Set(['struct', 'union', 'class']);
/** PE machine types (IMAGE_FILE_MACHINE_*) → pointer size, for tables without a `pointer` base type. */
const MACHINE_POINTER_SIZE: ReadonlyMap<number, number> = new Map([
  [0x14c, 4],
  [0x8664, 8],
  [0xaa64, 8],
]);

type JsonObject = Record<string, unknown>;
type RawIsf = Record<(typeof SECTIONS)[number], JsonObject>;

/** Reads an ISF file (`.json`, `.json.xz`, `.json.gz`). `origin` is what `info` shows; errors name `fileName`. */
export async function loadIsf(bytes: Uint8Array, fileName: string, origin = fileName): Promise<IsfSymbolTable> {
  return parseIsf(await symbolFileText(bytes, fileName), fileName, origin);
}

export function parseIsf(text: string, fileName: string, origin = fileName): IsfSymbolTable {
  return isfTable(parseIsfJson(text, fileName), fileName, origin);
}

/** An ISF file's text as JSON, long addresses kept exact as digit strings (see quoteLargeAddresses). */
export function parseIsfJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(quoteLargeAddresses(text));
  } catch (e) {
    throw new MemscopeError('SYMBOLS_INVALID', `not valid JSON (${(e as Error).message})`, fileName);
  }
}

/** A table over parsed ISF JSON (as parseIsfJson gives it), its sections checked. */
export function isfTable(json: unknown, fileName: string, origin = fileName): IsfSymbolTable {
  return new IsfSymbolTable(checkedIsf(json, fileName), fileName, origin);
}

/**
 * A symbol table over parsed ISF JSON. Nothing is converted up front: a structure, base type or enum is
 * checked and converted the first time it is asked for, then cached.
 */
export class IsfSymbolTable implements SymbolTable {
  readonly identity: SymbolIdentity | undefined;
  readonly pointerSize: number;
  private readonly structs = new Map<string, StructInfo>();
  private readonly baseTypes = new Map<string, BaseTypeInfo>();
  private readonly enums = new Map<string, EnumInfo>();

  constructor(
    private readonly raw: RawIsf,
    private readonly fileName: string,
    readonly origin: string,
  ) {
    this.identity = this.readIdentity();
    this.pointerSize = this.readPointerSize();
  }

  struct(name: string): StructInfo | undefined {
    const cached = this.structs.get(name);
    if (cached) return cached;
    const raw = own(this.raw.user_types, name);
    if (raw === undefined) return undefined;
    const where = `user type ${name}`;
    const def = this.object(raw, where);
    const kind = def.kind;
    if (typeof kind !== 'string' || !AGGREGATE_KINDS.has(kind)) this.fail(`${where} has unknown kind ${String(kind)}`);
    const fields = new Map<string, FieldInfo>();
    this.collectFields(def.fields, 0, where, fields, 0);
    const info: StructInfo = {
      kind: kind as StructInfo['kind'],
      size: this.count(def.size, `${where} size`),
      fields,
    };
    this.structs.set(name, info);
    return info;
  }

  baseType(name: string): BaseTypeInfo | undefined {
    const cached = this.baseTypes.get(name);
    if (cached) return cached;
    const raw = own(this.raw.base_types, name);
    if (raw === undefined) return undefined;
    const where = `base type ${name}`;
    const def = this.object(raw, where);
    if (typeof def.kind !== 'string' || !BASE_KINDS.has(def.kind)) this.fail(`${where} has unknown kind ${String(def.kind)}`);
    const info: BaseTypeInfo = {
      kind: def.kind as BaseTypeInfo['kind'],
      size: this.count(def.size, `${where} size`),
      signed: def.signed === true,
    };
    this.baseTypes.set(name, info);
    return info;
  }

  enumeration(name: string): EnumInfo | undefined {
    const cached = this.enums.get(name);
    if (cached) return cached;
    const raw = own(this.raw.enums, name);
    if (raw === undefined) return undefined;
    const where = `enum ${name}`;
    const def = this.object(raw, where);
    if (typeof def.base !== 'string') this.fail(`${where} has no base type`);
    const constants = new Map<string, number>();
    for (const [constant, value] of Object.entries(this.object(def.constants, `${where} constants`))) {
      if (!Number.isSafeInteger(value)) this.fail(`${where} constant ${constant} is not an integer`);
      constants.set(constant, value as number);
    }
    const info: EnumInfo = { size: this.count(def.size, `${where} size`), base: def.base, constants };
    this.enums.set(name, info);
    return info;
  }

  symbolNames(): Iterable<string> {
    return Object.keys(this.raw.symbols ?? {});
  }

  symbol(name: string): bigint | undefined {
    const raw = own(this.raw.symbols, name);
    if (raw === undefined) return undefined;
    const address = this.object(raw, `symbol ${name}`).address;
    // Addresses above 2^53 arrive as digit strings (see quoteLargeAddresses).
    if (Number.isSafeInteger(address) && (address as number) >= 0) return BigInt(address as number);
    if (typeof address === 'string' && /^\d{1,20}$/.test(address)) return BigInt(address);
    this.fail(`symbol ${name} has no valid address`);
  }

  sizeOf(type: TypeDescriptor): number {
    return typeSize(this, type, (kind, name) => this.undefinedType(kind, name));
  }

  private collectFields(raw: unknown, base: number, where: string, into: Map<string, FieldInfo>, depth: number): void {
    for (const [name, value] of Object.entries(this.object(raw, `${where} fields`))) {
      const at = `${where} field ${name}`;
      const field = this.object(value, at);
      const offset = base + this.count(field.offset, `${at} offset`);
      const type = this.descriptor(field.type, at, 0);
      if (field.anonymous === true && AGGREGATE_KINDS.has(type.kind) && 'name' in type) {
        if (depth >= MAX_ANONYMOUS_DEPTH) this.fail(`${at}: anonymous members nest too deep (a cycle?)`);
        const inner = this.object(own(this.raw.user_types, type.name), `user type ${type.name}`);
        this.collectFields(inner.fields, offset, `user type ${type.name}`, into, depth + 1);
      } else if (!into.has(name)) {
        into.set(name, { offset, type });
      }
    }
  }

  /** Checks an ISF type descriptor in place; the JSON object already has the `TypeDescriptor` shape. */
  private descriptor(raw: unknown, where: string, depth: number): TypeDescriptor {
    if (depth > MAX_DESCRIPTOR_DEPTH) this.fail(`${where}: type nests too deep`);
    const d = this.object(raw, `${where} type`);
    switch (d.kind) {
      case 'base':
      case 'struct':
      case 'union':
      case 'class':
      case 'enum':
        if (typeof d.name !== 'string') this.fail(`${where}: ${d.kind} type without a name`);
        break;
      case 'pointer':
        this.descriptor(d.subtype, where, depth + 1);
        break;
      case 'array':
        this.count(d.count, `${where} array count`);
        this.descriptor(d.subtype, where, depth + 1);
        break;
      case 'bitfield':
        this.count(d.bit_position, `${where} bit position`);
        this.count(d.bit_length, `${where} bit length`);
        this.descriptor(d.type, where, depth + 1);
        break;
      case 'function':
        break;
      default:
        this.fail(`${where}: unknown type kind ${String(d.kind)}`);
    }
    return d as unknown as TypeDescriptor;
  }

  private readIdentity(): SymbolIdentity | undefined {
    const meta = this.raw.metadata;
    const pdb = own(objectOrEmpty(own(meta, 'windows')), 'pdb');
    if (pdb !== undefined) {
      const p = this.object(pdb, 'metadata.windows.pdb');
      const guid = typeof p.GUID === 'string' ? p.GUID.replace(/[-{}]/g, '').toUpperCase() : '';
      if (!/^[0-9A-F]{32}$/.test(guid)) this.fail('metadata.windows.pdb.GUID is not a 32-digit hex GUID');
      if (typeof p.database !== 'string' || p.database === '') this.fail('metadata.windows.pdb.database is missing');
      return { kind: 'pdb', pdbName: p.database, guid, age: this.count(p.age, 'metadata.windows.pdb.age') };
    }
    const banner = own(objectOrEmpty(own(this.raw.symbols, 'linux_banner')), 'constant_data');
    if (own(meta, 'linux') !== undefined && typeof banner === 'string') {
      try {
        return linuxIdentity(atob(banner));
      } catch {
        this.fail('symbol linux_banner has constant_data that is not base64');
      }
    }
    return undefined;
  }

  private readPointerSize(): number {
    const pointer = own(this.raw.base_types, 'pointer');
    const machine = own(objectOrEmpty(own(objectOrEmpty(own(this.raw.metadata, 'windows')), 'pdb')), 'machine_type');
    const size = pointer !== undefined ? this.baseType('pointer')?.size : MACHINE_POINTER_SIZE.get(machine as number);
    if (size !== 4 && size !== 8) this.fail('cannot tell the pointer size (no 4- or 8-byte "pointer" base type, no known machine type)');
    return size;
  }

  private object(raw: unknown, what: string): JsonObject {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(`${what} is missing or not an object`);
    return raw as JsonObject;
  }

  private count(raw: unknown, what: string): number {
    if (!Number.isSafeInteger(raw) || (raw as number) < 0) this.fail(`${what} is not a non-negative integer`);
    return raw as number;
  }

  private undefinedType(kind: string, name: string): never {
    this.fail(`${kind} ${name} is referenced but not defined`);
  }

  private fail(message: string): never {
    throw new MemscopeError('SYMBOLS_INVALID', message, this.fileName);
  }
}

function checkedIsf(json: unknown, fileName: string): RawIsf {
  const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
  const missing = isObject(json) ? SECTIONS.filter((s) => !isObject(own(json, s))) : SECTIONS;
  if (!isObject(json) || missing.length > 0) {
    throw new MemscopeError('SYMBOLS_INVALID', `not a Volatility 3 ISF symbol table (missing ${missing.join(', ')})`, fileName);
  }
  const format = own(json.metadata as JsonObject, 'format');
  const major = typeof format === 'string' ? /^(\d+)\.\d+\.\d+$/.exec(format)?.[1] : undefined;
  if (Number(major) !== SUPPORTED_MAJOR) {
    throw new MemscopeError(
      'SYMBOLS_INVALID',
      `ISF format ${String(format)} is not supported; memscope reads format ${SUPPORTED_MAJOR}.x ` +
        '(written by current Volatility 3 pdbconv and dwarf2json)',
      fileName,
    );
  }
  return json as RawIsf;
}

/**
 * JSON numbers lose precision above 2^53, and Linux kernel symbol addresses (0xffffffff8…) are above it.
 * Quote long `address` values so they parse as exact digit strings. The look-behind skips `\"address\"`
 * inside a JSON string.
 */
function quoteLargeAddresses(text: string): string {
  return text.replace(/(?<!\\)"address":(\s*)(\d{16,})/g, '"address":$1"$2"');
}

function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function objectOrEmpty(v: unknown): JsonObject {
  return typeof v === 'object' && v !== null ? (v as JsonObject) : {};
}
