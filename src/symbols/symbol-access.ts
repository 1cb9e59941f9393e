import { MemscopeError } from '../errors.ts';
import { symbolKey, type FieldInfo, type StructInfo, type SymbolTable } from './symbol-table.ts';

/**
 * Lookups that must succeed for an OS reader to work; a miss throws SYMBOLS_INVALID naming the table.
 * Structure names may be given without the leading underscore Windows PDBs use (`EPROCESS` → `_EPROCESS`).
 */
export function requireStruct(table: SymbolTable, name: string): StructInfo & { readonly name: string } {
  for (const candidate of name.startsWith('_') ? [name] : [name, `_${name}`]) {
    const info = table.struct(candidate);
    if (info) return { ...info, name: candidate };
  }
  throw new MemscopeError('SYMBOLS_INVALID', `${tableLabel(table)} has no structure ${name}`);
}

export function requireField(table: SymbolTable, structName: string, fieldName: string): FieldInfo {
  const struct = requireStruct(table, structName);
  const field = struct.fields.get(fieldName);
  if (!field) throw new MemscopeError('SYMBOLS_INVALID', `${struct.name} has no field ${fieldName} in ${tableLabel(table)}`);
  return field;
}

export function fieldOffset(table: SymbolTable, structName: string, fieldName: string): number {
  return requireField(table, structName, fieldName).offset;
}

export function requireSymbol(table: SymbolTable, name: string): bigint {
  const address = table.symbol(name);
  if (address === undefined) throw new MemscopeError('SYMBOLS_INVALID', `${tableLabel(table)} has no symbol ${name}`);
  return address;
}

/** `ntkrnlmp.pdb/GUID-AGE`, `linux/<banner>`, or the origin when the table has no identity. */
export function tableLabel(table: SymbolTable): string {
  return table.identity ? symbolKey(table.identity) : table.origin;
}
