import type { Column, PluginRow } from '../plugins/plugin.ts';
import { cellJson, stringJson } from './vol-json.ts';

/** One JSON object per row (Volatility's JSONL shape: columns plus `__children` left empty, depth kept in `TreeDepth`). */
export function jsonlRow(columns: readonly Column[], row: PluginRow): string {
  const fields = columns.map((c, i) => `${stringJson(c.name)}: ${cellJson(row.values[i] ?? null)}`);
  return `{${[`"TreeDepth": ${row.depth}`, ...fields].join(', ')}}\n`;
}
