/**
 * One interface for every source of kernel types and symbols (Volatility 3 ISF JSON, Linux BTF +
 * kallsyms, later PDB). The type model is ISF's: a field has an offset and a type descriptor.
 */
export type TypeDescriptor =
  | { kind: 'base'; name: string }
  | { kind: 'pointer'; subtype: TypeDescriptor }
  | { kind: 'struct' | 'union' | 'class'; name: string }
  | { kind: 'enum'; name: string }
  | { kind: 'array'; count: number; subtype: TypeDescriptor }
  | { kind: 'bitfield'; bit_position: number; bit_length: number; type: TypeDescriptor }
  | { kind: 'function' };

export interface FieldInfo {
  readonly offset: number;
  readonly type: TypeDescriptor;
}

export interface BaseTypeInfo {
  readonly size: number;
  readonly signed: boolean;
  readonly kind: 'int' | 'char' | 'bool' | 'float' | 'void';
}

export interface StructInfo {
  readonly kind: 'struct' | 'union' | 'class';
  readonly size: number;
  readonly fields: ReadonlyMap<string, FieldInfo>;
}

export interface EnumInfo {
  readonly size: number;
  readonly base: string;
  readonly constants: ReadonlyMap<string, number>;
}

/** Who the table describes: a PDB (Windows) or a kernel banner (Linux). */
export type SymbolIdentity = { kind: 'pdb'; pdbName: string; guid: string; age: number } | { kind: 'linux'; banner: string };

export interface SymbolTable {
  readonly identity: SymbolIdentity | undefined;
  /** Where the table came from, for `info` output (file name, "IndexedDB cache", "BTF in image"). */
  readonly origin: string;
  readonly pointerSize: number;
  struct(name: string): StructInfo | undefined;
  baseType(name: string): BaseTypeInfo | undefined;
  enumeration(name: string): EnumInfo | undefined;
  /** ISF symbol address: an RVA for Windows PDB tables, an absolute address for Linux. */
  symbol(name: string): bigint | undefined;
  /** Every symbol's name, in the table's order; absent where a table cannot list them. */
  symbolNames?(): Iterable<string>;
  /** Size in bytes of any type descriptor (pointer → pointerSize, array → count × element, ...). */
  sizeOf(type: TypeDescriptor): number;
}

/** Canonical key for a PDB: `ntkrnlmp.pdb/GUID-AGE` (GUID upper-case hex, no dashes). */
export function pdbKey(pdbName: string, guid: string, age: number): string {
  return `${pdbName.toLowerCase()}/${guid.replace(/-/g, '').toUpperCase()}-${age}`;
}

export type PdbIdentity = Extract<SymbolIdentity, { kind: 'pdb' }>;

/** Splits a `pdbKey` back into its parts; undefined for anything else (e.g. a Linux key). */
export function parsePdbKey(key: string): PdbIdentity | undefined {
  const m = /^([^/]+)\/([0-9A-Fa-f]{32})-(\d{1,10})$/.exec(key);
  return m ? { kind: 'pdb', pdbName: m[1], guid: m[2].toUpperCase(), age: Number(m[3]) } : undefined;
}

/** Store key of a table: `pdbKey` for a PDB, `linux/<banner>` for a Linux kernel. */
export function symbolKey(identity: SymbolIdentity): string {
  return identity.kind === 'pdb' ? pdbKey(identity.pdbName, identity.guid, identity.age) : `linux/${identity.banner}`;
}

/** Linux identity from a banner as stored in an ISF or found in memory: cut at NUL, trailing newline dropped. */
export function linuxIdentity(bannerText: string): Extract<SymbolIdentity, { kind: 'linux' }> {
  const nul = bannerText.indexOf('\0');
  return { kind: 'linux', banner: (nul < 0 ? bannerText : bannerText.slice(0, nul)).trimEnd() };
}

/** The lookups a type's size depends on, and what to say when a referenced type is not defined. */
export interface TypeSizing {
  readonly pointerSize: number;
  baseType(name: string): BaseTypeInfo | undefined;
  struct(name: string): StructInfo | undefined;
  enumeration(name: string): EnumInfo | undefined;
}

/** Size in bytes of a type descriptor; `undefinedType` throws for a name the table does not define. */
export function typeSize(table: TypeSizing, type: TypeDescriptor, undefinedType: (kind: string, name: string) => never): number {
  switch (type.kind) {
    case 'base':
      return (table.baseType(type.name) ?? undefinedType('base type', type.name)).size;
    case 'pointer':
      return table.pointerSize;
    case 'struct':
    case 'union':
    case 'class':
      return (table.struct(type.name) ?? undefinedType(type.kind, type.name)).size;
    case 'enum':
      return (table.enumeration(type.name) ?? undefinedType('enum', type.name)).size;
    case 'array':
      return type.count * typeSize(table, type.subtype, undefinedType);
    case 'bitfield':
      return typeSize(table, type.type, undefinedType);
    case 'function':
      return 0; // code, only ever reached through a pointer
  }
}
