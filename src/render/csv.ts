import type { Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from './format-cell.ts';

/**
 * CSV in Volatility 3's layout: a `TreeDepth` column, then the plugin's columns, cells formatted as in
 * the table. Fields are quoted per RFC 4180 when needed. Text cells that a spreadsheet would run as a
 * formula (memory-derived strings starting with = + - @ or a control character) get a leading `'`.
 */
export function csvHeader(columns: readonly Column[]): string {
  return csvLine(['TreeDepth', ...columns.map((c) => c.name)]);
}

export function csvRow(columns: readonly Column[], row: PluginRow): string {
  const cells = columns.map((column, i) => {
    const text = formatCell(row.values[i] ?? null, column.type);
    return column.type === 'str' || column.type === 'bytes' ? defuseFormula(text) : text;
  });
  return csvLine([String(row.depth), ...cells]);
}

export function toCsv(columns: readonly Column[], rows: Iterable<PluginRow>): string {
  const lines = [csvHeader(columns)];
  for (const row of rows) lines.push(csvRow(columns, row));
  return lines.join('');
}

function csvLine(fields: readonly string[]): string {
  return fields.map(quoteField).join(',') + '\r\n';
}

function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
