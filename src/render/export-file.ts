import type { Column, PluginRow } from '../plugins/plugin.ts';
import { toCsv } from './csv.ts';
import { JSON_EXPORT_OPEN, jsonExportClose, jsonlMetadataLine, type ExportMetadata } from './export-metadata.ts';
import { jsonlRow } from './jsonl.ts';
import { toVolJson } from './vol-json.ts';

export type ExportFormat = 'csv' | 'json' | 'jsonl';

export const EXPORT_MIME: Record<ExportFormat, string> = { csv: 'text/csv', json: 'application/json', jsonl: 'application/x-ndjson' };

/** A result's rows as an export file's text: CSV, Volatility 3 JSON or JSONL, each ending with the export's metadata. */
export function exportText(format: ExportFormat, columns: readonly Column[], rows: readonly PluginRow[], metadata: ExportMetadata): string {
  return format === 'csv'
    ? toCsv(columns, rows, metadata)
    : format === 'json'
      ? JSON_EXPORT_OPEN + toVolJson(columns, rows) + jsonExportClose(metadata)
      : rows.map((row) => jsonlRow(columns, row)).join('') + jsonlMetadataLine(metadata);
}
