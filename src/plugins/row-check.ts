import type { Cell, Column, ColumnType } from './plugin.ts';

// Checks of what a third-party plugin yields, apart from its declaration's (plugin-validation.ts): the page checks the
// rows it receives from the plugin sandbox too, without the engine's OS registry.

type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a row does not fit the declared columns (a third-party plugin's bug), or undefined. */
export function rowProblem(columns: readonly Column[], row: unknown): string | undefined {
  if (!isObject(row) || !Number.isSafeInteger(row['depth']) || (row['depth'] as number) < 0)
    return 'a row must be { depth: non-negative integer, values: [...] }';
  const values = row['values'];
  if (!Array.isArray(values) || values.length !== columns.length) return `a row must have ${columns.length} values, one per column`;
  for (const [i, c] of columns.entries()) {
    if (!fitsColumn(c.type, values[i] as unknown)) return `column ${c.name} (${c.type}) cannot hold ${describe(values[i])}`;
  }
  return undefined;
}

function fitsColumn(type: ColumnType, v: unknown): v is Cell {
  if (v === null) return true;
  switch (type) {
    case 'int':
    case 'hex':
      return typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
    case 'bool':
      return typeof v === 'boolean';
    case 'str':
    case 'bytes':
      return typeof v === 'string';
    case 'datetime':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
  }
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v === 'bigint' ? `${v}n` : String(v);
  return `${typeof v} ${text}`;
}
