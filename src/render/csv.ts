import type { Column, PluginRow } from '../plugins/plugin.ts';
import { metadataFields, type ExportMetadata } from './export-metadata.ts';
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

/**
 * The export's metadata after the rows, one field a row: `#` and the field's name in the first cell (where rows have
 * their TreeDepth), its value in the second, the other cells empty — every row as wide as the header, so CSV readers
 * and spreadsheets take the file as one table; a reader drops the rows whose first cell starts with `#`.
 */
export function csvMetadata(columns: readonly Column[], metadata: ExportMetadata): string {
  const padding = new Array<string>(Math.max(0, columns.length - 1)).fill('');
  return metadataFields(metadata)
    .map(([key, value]) => csvLine([`#${key}`, defuseFormula(value), ...padding]))
    .join('');
}

export function toCsv(columns: readonly Column[], rows: Iterable<PluginRow>, metadata?: ExportMetadata): string {
  const lines = [csvHeader(columns)];
  for (const row of rows) lines.push(csvRow(columns, row));
  if (metadata) lines.push(csvMetadata(columns, metadata));
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
