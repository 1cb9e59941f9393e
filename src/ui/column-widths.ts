import type { Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { firstLine } from './cell-text.ts';

/**
 * How wide a column is drawn: from its content, in `ch` (text columns also take a share of spare room), or as the
 * user dragged it, in px. Virtualized rows are separate grids, so every row gets the same template: widths come
 * from a sample of the rows, never from what happens to be on screen.
 */
export type ColumnWidth = { readonly ch: number; readonly grow: boolean } | { readonly px: number };

/** The first rows and an even spread of the rest: enough to see every column's usual width, cheap on 100k rows. */
const SAMPLE_HEAD = 100;
const SAMPLE_SPREAD = 200;
/** Cell padding (6px each side) and the header's sort arrow, in ch. */
const PADDING_CH = 2;
const SORT_ARROW_CH = 2;
const MIN_CH = 4;
/** Long text (paths, messages, command lines) stops here; the row details show it whole, and a drag widens it. */
const MAX_CH: Record<ColumnType, number> = { str: 120, bytes: 50, datetime: 40, hex: 40, int: 24, bool: 8 };

export function sampleRows(rows: readonly PluginRow[]): readonly PluginRow[] {
  if (rows.length <= SAMPLE_HEAD + SAMPLE_SPREAD) return rows;
  const step = (rows.length - SAMPLE_HEAD) / SAMPLE_SPREAD;
  const spread = Array.from({ length: SAMPLE_SPREAD }, (_, i) => rows[SAMPLE_HEAD + Math.floor(i * step)]!);
  return [...rows.slice(0, SAMPLE_HEAD), ...spread];
}

/** The width, in ch, that shows the column's name and the first line of each sampled value; capped unless `whole`. */
export function fitWidth(column: Column, index: number, sample: readonly PluginRow[], whole = false): number {
  let widest = column.name.length + SORT_ARROW_CH;
  for (const row of sample) widest = Math.max(widest, firstLine(formatCell(row.values[index] ?? null, column.type)).length);
  const ch = Math.max(MIN_CH, widest + PADDING_CH);
  // The cap shortens long values, never the column's own name ("pid_hash" over True/False).
  const header = column.name.length + SORT_ARROW_CH + PADDING_CH;
  return whole ? ch : Math.min(ch, Math.max(MAX_CH[column.type], header));
}

/** Every column's width from the rows (sampled); the first column `firstExtraCh` wider (a tree's indentation). */
export function contentWidths(columns: readonly Column[], rows: readonly PluginRow[], firstExtraCh = 0): ColumnWidth[] {
  const sample = sampleRows(rows);
  return columns.map((c, i) => ({ ch: fitWidth(c, i, sample) + (i === 0 ? firstExtraCh : 0), grow: c.type === 'str' }));
}

/** While rows stream in, columns only grow: a table that narrows as it fills would jump under the reader's eyes. */
export function widen(previous: readonly ColumnWidth[], next: readonly ColumnWidth[]): ColumnWidth[] {
  return next.map((w, i) => {
    const old = previous[i];
    return old && 'ch' in old && 'ch' in w && old.ch > w.ch ? old : w;
  });
}

/** The CSS grid template: fixed widths, text columns sharing what room is left in proportion to their own widths. */
export function gridTemplate(widths: readonly ColumnWidth[]): string {
  return widths.map((w) => ('px' in w ? `${w.px}px` : w.grow ? `minmax(${w.ch}ch, ${w.ch}fr)` : `${w.ch}ch`)).join(' ');
}

/** Minimum width of a row, so narrow windows scroll sideways instead of crushing columns. */
export function gridMinWidth(widths: readonly ColumnWidth[]): string {
  const ch = widths.reduce((sum, w) => sum + ('ch' in w ? w.ch : 0), 0);
  const px = widths.reduce((sum, w) => sum + ('px' in w ? w.px : 0), 0);
  return `calc(${ch}ch + ${px}px)`;
}
