import { MemscopeError } from '../errors.ts';

/** BTF type kinds (include/uapi/linux/btf.h). */
export const BtfKind = {
  Int: 1,
  Ptr: 2,
  Array: 3,
  Struct: 4,
  Union: 5,
  Enum: 6,
  Fwd: 7,
  Typedef: 8,
  Volatile: 9,
  Const: 10,
  Restrict: 11,
  Func: 12,
  FuncProto: 13,
  Var: 14,
  Datasec: 15,
  Float: 16,
  DeclTag: 17,
  TypeTag: 18,
  Enum64: 19,
} as const;

const MAGIC = 0xeb9f;
const SUPPORTED_VERSION = 1;
const HEADER_SIZE = 24;
/** name_off, info, size/type: the part every type record starts with. */
const TYPE_HEADER_SIZE = 12;
const utf8 = new TextDecoder('utf-8');

/**
 * The raw view of a BTF blob: header and sections checked against the blob, one pass recording where each
 * type record starts. Type ids run from 1 (0 is void); callers check ids with `valid` before reading a record.
 */
export class BtfReader {
  readonly typeCount: number;
  private readonly dv: DataView;
  /** Byte offset of each type record in the blob, by type id (index 0, void, is unused). */
  private readonly offsets: Uint32Array;
  private readonly stringsStart: number;
  private readonly stringsLength: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly origin: string,
  ) {
    if (bytes.length < HEADER_SIZE) this.fail(`is only ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte BTF header`);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = this.dv.getUint16(0, true);
    if (magic === 0x9feb) throw new MemscopeError('UNSUPPORTED', 'BTF is big-endian: only little-endian (x86-64) kernels are supported', origin);
    if (magic !== MAGIC) this.fail(`does not start with the BTF magic 0xeb9f (found 0x${magic.toString(16).padStart(4, '0')})`);
    const version = this.dv.getUint8(2);
    if (version !== SUPPORTED_VERSION)
      throw new MemscopeError('UNSUPPORTED', `BTF version ${version} is not supported (only version ${SUPPORTED_VERSION})`, origin);
    const [hdrLen, typeOff, typeLen, strOff, strLen] = [4, 8, 12, 16, 20].map((at) => this.dv.getUint32(at, true)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (hdrLen < HEADER_SIZE || hdrLen > bytes.length) this.fail(`header length ${hdrLen} is outside ${HEADER_SIZE}..${bytes.length}`);
    const typesStart = hdrLen + typeOff;
    const typesEnd = typesStart + typeLen;
    this.stringsStart = hdrLen + strOff;
    this.stringsLength = strLen;
    if (typeOff % 4 !== 0) this.fail(`type section offset ${typeOff} is not 4-byte aligned`);
    if (typesEnd > bytes.length) this.fail(`type section (${typeLen} bytes at ${typesStart}) runs past the end of the ${bytes.length}-byte blob`);
    if (this.stringsStart + strLen > bytes.length)
      this.fail(`string section (${strLen} bytes at ${this.stringsStart}) runs past the end of the ${bytes.length}-byte blob`);
    if (typesStart < this.stringsStart + strLen && this.stringsStart < typesEnd) this.fail('type and string sections overlap');
    if (strLen === 0 || bytes[this.stringsStart] !== 0 || bytes[this.stringsStart + strLen - 1] !== 0) {
      this.fail('string section must start and end with a NUL byte');
    }
    this.offsets = this.index(typesStart, typesEnd);
    this.typeCount = this.offsets.length - 1;
  }

  /** One pass over the type section: each record's start, its size from its kind and vlen. */
  private index(start: number, end: number): Uint32Array {
    // Every record is at least 12 bytes, which bounds the number of types.
    const offsets = new Uint32Array(Math.floor((end - start) / TYPE_HEADER_SIZE) + 1);
    let count = 0;
    let at = start;
    while (at < end) {
      const id = count + 1;
      if (at + TYPE_HEADER_SIZE > end) this.fail(`type ${id} at byte ${at} is cut off by the end of the type section`);
      const info = this.dv.getUint32(at + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const extra = extraSize(kind, info & 0xffff);
      if (extra < 0) this.fail(`type ${id} at byte ${at} has kind ${kind}, which is not a BTF kind this reader knows (corrupt, or a newer kernel)`);
      if (this.dv.getUint32(at, true) >= this.stringsLength) this.fail(`type ${id} has a name offset outside the string section`);
      offsets[id] = at;
      count = id;
      at += TYPE_HEADER_SIZE + extra;
    }
    if (at !== end) this.fail(`the last type (${count}) runs past the end of the type section`);
    return offsets.subarray(0, count + 1);
  }

  valid(id: number): boolean {
    return id > 0 && id <= this.typeCount;
  }

  kind(id: number): number {
    return (this.dv.getUint32(this.offsets[id]! + 4, true) >>> 24) & 0x1f;
  }

  vlen(id: number): number {
    return this.dv.getUint32(this.offsets[id]! + 4, true) & 0xffff;
  }

  kindFlag(id: number): boolean {
    return this.dv.getUint32(this.offsets[id]! + 4, true) >>> 31 === 1;
  }

  /** The third header word: a size (INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC) or a type id (the others). */
  sizeOrType(id: number): number {
    return this.dv.getUint32(this.offsets[id]! + 8, true);
  }

  /** Word `index` of the data after the type header (members, enumerators, array info); inside the record by indexing. */
  word(id: number, index: number): number {
    return this.dv.getUint32(this.offsets[id]! + TYPE_HEADER_SIZE + index * 4, true);
  }

  signedWord(id: number, index: number): number {
    return this.dv.getInt32(this.offsets[id]! + TYPE_HEADER_SIZE + index * 4, true);
  }

  /** The type's own name; '' for anonymous types. */
  name(id: number): string {
    return this.string(this.dv.getUint32(this.offsets[id]!, true), id);
  }

  /** A NUL-terminated string of the string section; `owner` names the type for the error on a bad offset. */
  string(offset: number, owner: number): string {
    if (offset === 0) return '';
    if (offset >= this.stringsLength) this.fail(`type ${owner} refers to a name outside the string section`);
    const start = this.stringsStart + offset;
    // The section ends with NUL (checked above), so this stops inside it.
    const end = this.bytes.indexOf(0, start);
    return utf8.decode(this.bytes.subarray(start, end));
  }

  fail(why: string): never {
    throw new MemscopeError('SYMBOLS_INVALID', `kernel BTF ${why}`, this.origin);
  }
}

/** Bytes following the type header for a kind with `vlen` entries; -1 for an unknown kind. */
function extraSize(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.Int:
    case BtfKind.Var:
    case BtfKind.DeclTag:
      return 4;
    case BtfKind.Ptr:
    case BtfKind.Fwd:
    case BtfKind.Typedef:
    case BtfKind.Volatile:
    case BtfKind.Const:
    case BtfKind.Restrict:
    case BtfKind.Func:
    case BtfKind.Float:
    case BtfKind.TypeTag:
      return 0;
    case BtfKind.Array:
      return 12;
    case BtfKind.Struct:
    case BtfKind.Union:
    case BtfKind.Datasec:
    case BtfKind.Enum64:
      return vlen * 12;
    case BtfKind.Enum:
    case BtfKind.FuncProto:
      return vlen * 8;
    default:
      return -1;
  }
}
