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
export type SymbolIdentity =
  | { kind: 'pdb'; pdbName: string; guid: string; age: number }
  | { kind: 'linux'; banner: string };

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
  /** Size in bytes of any type descriptor (pointer → pointerSize, array → count × element, ...). */
  sizeOf(type: TypeDescriptor): number;
}

/** Canonical key for a PDB: `ntkrnlmp.pdb/GUID-AGE` (GUID upper-case hex, no dashes). */
export function pdbKey(pdbName: string, guid: string, age: number): string {
  return `${pdbName.toLowerCase()}/${guid.replace(/-/g, '').toUpperCase()}-${age}`;
}
