import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import {
  typeSize,
  type BaseTypeInfo,
  type EnumInfo,
  type FieldInfo,
  type PdbIdentity,
  type StructInfo,
  type SymbolTable,
  type TypeDescriptor,
} from '../symbol-table.ts';
import { corruptPdb } from './cursor.ts';
import { parseInfoStream, type PdbInfo } from './info-stream.ts';
import { MsfFile, readPdbBytes } from './msf.ts';
import { parseDbi, parsePublics, readSections, type DbiInfo, type PublicSymbol, type SectionHeader } from './symbols.ts';
import { FIRST_RECORD_INDEX, parseTypeStream, type TypeStream } from './tpi.ts';

const STREAM_INFO = 1;
const STREAM_TPI = 2;
const STREAM_DBI = 3;
const STREAM_IPI = 4;
/** Inline nesting of one type (pointer to array of pointer …); real PDBs stay under 10. */
const MAX_TYPE_DEPTH = 64;

/** Simple type indices (cvinfo.h T_*), low byte → the base type as Volatility 3's pdbconv names it. */
const PRIMITIVES: ReadonlyMap<number, readonly [string, BaseTypeInfo]> = new Map(
  (
    [
      [0x03, 'void', 'void', 0, true],
      [0x08, 'HRESULT', 'int', 4, false],
      [0x10, 'char', 'char', 1, true],
      [0x20, 'unsigned char', 'char', 1, false],
      [0x68, 'int8', 'int', 1, true],
      [0x69, 'uint8', 'int', 1, false],
      [0x70, 'char', 'char', 1, true],
      [0x71, 'wchar', 'int', 2, true],
      [0x11, 'short', 'int', 2, true],
      [0x21, 'unsigned short', 'int', 2, false],
      [0x72, 'short', 'int', 2, true],
      [0x73, 'unsigned short', 'int', 2, false],
      [0x12, 'long', 'int', 4, true],
      [0x22, 'unsigned long', 'int', 4, false],
      [0x74, 'int', 'int', 4, true],
      [0x75, 'unsigned int', 'int', 4, false],
      [0x13, 'long long', 'int', 8, true],
      [0x23, 'unsigned long long', 'int', 8, false],
      [0x76, 'long long', 'int', 8, true],
      [0x77, 'unsigned long long', 'int', 8, false],
      [0x14, 'int128', 'int', 16, true],
      [0x24, 'uint128', 'int', 16, false],
      [0x78, 'int128', 'int', 16, true],
      [0x79, 'uint128', 'int', 16, false],
      [0x46, 'f16', 'float', 2, true],
      [0x40, 'f32', 'float', 4, true],
      [0x45, 'f32pp', 'float', 4, true],
      [0x44, 'f48', 'float', 6, true],
      [0x41, 'double', 'float', 8, true],
      [0x42, 'f80', 'float', 10, true],
      [0x43, 'f128', 'float', 16, true],
      // Not in pdbconv's table (it fails on them): named here after the C++ types.
      [0x30, 'bool', 'bool', 1, false],
      [0x31, 'bool16', 'bool', 2, false],
      [0x32, 'bool32', 'bool', 4, false],
      [0x33, 'bool64', 'bool', 8, false],
      [0x7a, 'char16_t', 'int', 2, false],
      [0x7b, 'char32_t', 'int', 4, false],
      [0x7c, 'char8_t', 'char', 1, false],
    ] as const
  ).map(([index, name, kind, size, signed]) => [index, [name, { kind, size, signed }]] as const),
);
/** Pointer modes of a simple type index (bits 8–10) → pointer size. */
const PRIMITIVE_POINTER_SIZE = [0, 2, 4, 4, 4, 6, 8, 16];
const MACHINE_POINTER_SIZE: ReadonlyMap<number, number> = new Map([
  [0x14c, 4],
  [0x8664, 8],
  [0xaa64, 8],
  [0x1c4, 4],
]);
const UNNAMED = /^(<unnamed-tag>|__unnamed|<anonymous-tag>|__anonymous)$/;

/** Everything memscope reads from a PDB, before it becomes a symbol table. */
export interface ParsedPdb {
  readonly fileName: string;
  readonly info: PdbInfo;
  readonly dbi: DbiInfo;
  readonly types: TypeStream;
  readonly sections: readonly SectionHeader[];
  readonly publics: readonly PublicSymbol[];
  /** The PDB's own name as the linker wrote it into the IPI stream (e.g. ntkrnlmp.pdb), else the file's name. */
  readonly database: string;
}

/** Parses a whole PDB in memory: MSF container, info, TPI, DBI, section headers, public symbols. */
export function parsePdb(bytes: Uint8Array, fileName: string, database?: string): ParsedPdb {
  const msf = new MsfFile(bytes, fileName);
  const need = (index: number, what: string) => msf.stream(index) ?? corruptPdb(fileName, `it has no ${what} stream (stream ${index})`);
  const info = parseInfoStream(need(STREAM_INFO, 'PDB info'), fileName);
  const types = parseTypeStream(need(STREAM_TPI, 'TPI'), fileName, 'TPI stream');
  const dbi = parseDbi(need(STREAM_DBI, 'DBI'), fileName);
  const { sections, omap } = readSections(msf, dbi);
  const symbols = dbi.symbolRecordStream !== 0xffff ? msf.stream(dbi.symbolRecordStream) : undefined;
  const publics = symbols ? parsePublics(symbols, fileName, sections, omap) : [];
  return { fileName, info, dbi, types, sections, publics, database: database ?? databaseName(msf, fileName) };
}

/**
 * The PDB's name for its key: the file's own name when it is a `.pdb` (symbol servers keep the linker's name,
 * ntkrnlmp.pdb/<GUID><AGE>/ntkrnlmp.pdb), else the last `….pdb` LF_STRING_ID of the IPI stream (pdbconv's guess).
 */
function databaseName(msf: MsfFile, fileName: string): string {
  const own = fileName.split(/[\\/]/).pop()!;
  if (own.toLowerCase().endsWith('.pdb')) return own;
  const ipi = msf.stream(STREAM_IPI);
  let found: string | undefined;
  if (ipi && ipi.length > 0) {
    for (const r of parseTypeStream(ipi, fileName, 'IPI stream').records) {
      if (r.leaf === 'string' && r.value.toLowerCase().endsWith('.pdb')) found = r.value;
    }
  }
  return found ? found.split(/[\\/]/).pop()! : 'unknown.pdb';
}

/**
 * Reads a PDB (a byte source or bytes) into a symbol table; CORRUPT naming the file when it is not a valid PDB.
 * `database` is the PDB name to key it by when the file's own name is not it (e.g. `<GUID>-<AGE>.pdb`).
 */
export async function loadPdb(
  input: ByteSource | Uint8Array,
  fileName?: string,
  options: { readonly origin?: string; readonly database?: string } = {},
): Promise<PdbSymbolTable> {
  const name = fileName ?? (input instanceof Uint8Array ? 'PDB' : input.name);
  const bytes = input instanceof Uint8Array ? input : await readPdbBytes(input);
  return new PdbSymbolTable(parsePdb(bytes, name, options.database), options.origin ?? name);
}

/** Symbol names as pdbconv stores them: one leading `_`, `@` or DEL dropped, an `@<n>` stdcall suffix cut. */
export function stripSymbolName(name: string): string {
  const stripped = name.length > 0 && '_@\u007f'.includes(name[0]!) ? name.slice(1) : name;
  const parts = stripped.split('@');
  if (parts.length === 2) return /^\d+$/.test(parts[1]!) && parts[0] !== '' && parts[0]![0] !== '?' ? parts[0]! : name;
  return stripped;
}

/**
 * A PDB as memscope's symbol table, shaped as Volatility 3's pdbconv would write it: classes and structures are
 * `struct`s, unions `union`s, unnamed ones `__unnamed_<type index>`, members only (no base classes, methods,
 * static members), forward references resolved by name, symbols keyed by stripped name with their RVA.
 */
export class PdbSymbolTable implements SymbolTable {
  readonly identity: PdbIdentity;
  readonly pointerSize: number;
  readonly machine: number;
  private readonly structs = new Map<string, StructInfo>();
  private readonly enums = new Map<string, EnumInfo>();
  private readonly baseTypes = new Map<string, BaseTypeInfo>();
  private readonly symbols = new Map<string, { address: number; linkageName: string }>();

  constructor(
    readonly pdb: ParsedPdb,
    readonly origin: string,
  ) {
    this.machine = pdb.dbi.machine;
    this.identity = { kind: 'pdb', pdbName: pdb.database, guid: pdb.info.guid, age: pdb.dbi.age };
    this.pointerSize = MACHINE_POINTER_SIZE.get(pdb.dbi.machine) ?? this.firstPointerSize();
    for (const [name, info] of PRIMITIVES.values()) this.baseTypes.set(name, info);
    this.baseTypes.set('pointer', { kind: 'int', size: this.pointerSize, signed: false });
    this.convertTypes();
    for (const p of pdb.publics) {
      if (p.rva === undefined || p.name === '') continue;
      this.symbols.set(stripSymbolName(p.name), { address: p.rva, linkageName: p.name });
    }
  }

  struct(name: string): StructInfo | undefined {
    return this.structs.get(name);
  }
  baseType(name: string): BaseTypeInfo | undefined {
    return this.baseTypes.get(name);
  }
  enumeration(name: string): EnumInfo | undefined {
    return this.enums.get(name);
  }
  symbol(name: string): bigint | undefined {
    const s = this.symbols.get(name);
    return s && BigInt(s.address);
  }
  sizeOf(type: TypeDescriptor): number {
    return typeSize(this, type, (kind, name) => {
      throw new MemscopeError('SYMBOLS_INVALID', `${kind} ${name} is referenced but not defined`, this.pdb.fileName);
    });
  }

  structNames(): IterableIterator<string> {
    return this.structs.keys();
  }
  enumNames(): IterableIterator<string> {
    return this.enums.keys();
  }
  baseTypeNames(): IterableIterator<string> {
    return this.baseTypes.keys();
  }
  /** Symbols as stored: stripped name → RVA and the name as the linker wrote it. */
  symbolEntries(): IterableIterator<[string, { address: number; linkageName: string }]> {
    return this.symbols.entries();
  }

  /** The ISF name of a user type record: its name, or `__unnamed_<hex index>` as pdbconv names unnamed ones. */
  typeName(index: number): string {
    const r = this.pdb.types.get(index);
    const name = r && 'name' in r ? r.name : '';
    const m = UNNAMED.exec(name);
    if (!m) return name;
    return `${m[1]!.includes('anonymous') ? '__anonymous' : '__unnamed'}_${index.toString(16)}`;
  }

  /** The ISF type descriptor of a type index (modifiers passed through, forward references by name). */
  descriptor(index: number, depth = 0): TypeDescriptor {
    if (depth > MAX_TYPE_DEPTH) corruptPdb(this.pdb.fileName, `type 0x${index.toString(16)} nests deeper than ${MAX_TYPE_DEPTH} levels (a cycle?)`);
    if (index < FIRST_RECORD_INDEX) {
      const base: TypeDescriptor = { kind: 'base', name: (PRIMITIVES.get(index & 0xff) ?? PRIMITIVES.get(0x03)!)[0] };
      return (index >> 8) & 7 ? { kind: 'pointer', subtype: base } : base;
    }
    const r = this.pdb.types.get(index);
    switch (r?.leaf) {
      case 'modifier':
        return this.descriptor(r.referent, depth + 1);
      case 'pointer':
        return { kind: 'pointer', subtype: this.descriptor(r.referent, depth + 1) };
      case 'array': {
        const element = this.sizeOfIndex(r.element, depth + 1);
        return { kind: 'array', count: element > 0 ? Math.floor(r.size / element) : 0, subtype: this.descriptor(r.element, depth + 1) };
      }
      case 'bitfield':
        return { kind: 'bitfield', bit_position: r.position, bit_length: r.length, type: this.descriptor(r.type, depth + 1) };
      case 'function':
        return { kind: 'function' };
      case 'struct':
      case 'class':
      case 'interface':
        return { kind: 'struct', name: this.typeName(this.resolveUdt(index)) };
      case 'union':
        return { kind: 'union', name: this.typeName(this.resolveUdt(index)) };
      case 'enum':
        return { kind: 'enum', name: this.typeName(this.resolveUdt(index)) };
      default:
        return { kind: 'base', name: 'void' };
    }
  }

  /** Size in bytes of a type index, forward references resolved to their definition. */
  sizeOfIndex(index: number, depth = 0): number {
    if (depth > MAX_TYPE_DEPTH) corruptPdb(this.pdb.fileName, `type 0x${index.toString(16)} nests deeper than ${MAX_TYPE_DEPTH} levels (a cycle?)`);
    if (index < FIRST_RECORD_INDEX) {
      const mode = (index >> 8) & 7;
      return mode ? PRIMITIVE_POINTER_SIZE[mode]! : (PRIMITIVES.get(index & 0xff)?.[1].size ?? 0);
    }
    const r = this.pdb.types.get(index);
    switch (r?.leaf) {
      case 'modifier':
        return this.sizeOfIndex(r.referent, depth + 1);
      case 'pointer':
        return r.size || this.pointerSize;
      case 'array':
        return r.size;
      case 'bitfield':
        return this.sizeOfIndex(r.type, depth + 1);
      case 'struct':
      case 'class':
      case 'interface':
      case 'union': {
        const d = this.pdb.types.get(this.resolveUdt(index));
        return d && 'size' in d ? d.size : 0;
      }
      case 'enum': {
        const d = this.pdb.types.get(this.resolveUdt(index));
        return d?.leaf === 'enum' ? this.sizeOfIndex(d.underlying, depth + 1) : 0;
      }
      default:
        return 0;
    }
  }

  /** Unnamed types are never forward-declared (and their unique names are not unique): only named ones resolve. */
  private resolveUdt(index: number): number {
    const r = this.pdb.types.get(index);
    return r && 'name' in r && !UNNAMED.test(r.name) ? this.pdb.types.resolve(index) : index;
  }

  private convertTypes(): void {
    const { types } = this.pdb;
    types.records.forEach((r, i) => {
      const index = types.begin + i;
      if (r.leaf === 'struct' || r.leaf === 'class' || r.leaf === 'interface' || r.leaf === 'union') {
        if (r.forwardRef || r.name === '') return;
        const fields = new Map<string, FieldInfo>();
        for (const m of types.fieldList(r.fieldList).members) fields.set(m.name, { offset: m.offset, type: this.descriptor(m.type) });
        this.structs.set(this.typeName(index), { kind: r.leaf === 'union' ? 'union' : 'struct', size: r.size, fields });
      } else if (r.leaf === 'enum') {
        if (r.forwardRef || r.name === '') return;
        const base = this.descriptor(r.underlying);
        const constants = new Map<string, number>();
        for (const e of types.fieldList(r.fieldList).enumerates) {
          if (typeof e.value === 'number') constants.set(e.name, e.value);
        }
        this.enums.set(this.typeName(index), {
          size: this.sizeOfIndex(r.underlying),
          base: base.kind === 'base' ? base.name : 'int',
          constants,
        });
      }
    });
  }

  private firstPointerSize(): number {
    for (const r of this.pdb.types.records) if (r.leaf === 'pointer' && (r.size === 4 || r.size === 8)) return r.size;
    return 8;
  }
}

/**
 * The table as a Volatility 3 ISF (format 6.1.0, as pdbconv writes it): metadata.windows.pdb {GUID, age,
 * database, machine_type}, base types, user types, enums and symbols (RVAs, with linkage_name where the
 * name was stripped).
 */
export function pdbIsfText(table: PdbSymbolTable, producerVersion: string): string {
  const base_types: Record<string, unknown> = {};
  for (const name of table.baseTypeNames()) {
    const b = table.baseType(name)!;
    base_types[name] = { kind: b.kind, size: b.size, signed: b.signed, endian: 'little' };
  }
  const user_types: Record<string, unknown> = {};
  for (const name of table.structNames()) {
    const s = table.struct(name)!;
    user_types[name] = {
      kind: s.kind,
      size: s.size,
      fields: Object.fromEntries([...s.fields].map(([f, info]) => [f, { offset: info.offset, type: info.type }])),
    };
  }
  const enums: Record<string, unknown> = {};
  for (const name of table.enumNames()) {
    const e = table.enumeration(name)!;
    enums[name] = { size: e.size, base: e.base, constants: Object.fromEntries(e.constants) };
  }
  const symbols: Record<string, unknown> = {};
  for (const [name, s] of table.symbolEntries()) {
    symbols[name] = s.linkageName !== name ? { address: s.address, linkage_name: s.linkageName } : { address: s.address };
  }
  const { pdbName, guid, age } = table.identity;
  return JSON.stringify({
    metadata: {
      format: '6.1.0',
      producer: { name: 'memscope', version: producerVersion },
      windows: { pdb: { GUID: guid, age, database: pdbName, machine_type: table.machine } },
    },
    base_types,
    user_types,
    enums,
    symbols,
  });
}
