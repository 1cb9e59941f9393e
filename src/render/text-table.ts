import type { Cell, Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from './format-cell.ts';
import { escapeControls } from './terminal-text.ts';

/** Volatility's text renderer shows datetimes as "2019-12-07 09:09:48.000000 UTC". */
function textCell(value: Cell, type: ColumnType): string {
  if (type === 'datetime' && typeof value === 'string') {
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|\+00:00)$/.exec(value);
    if (m) return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)} UTC`;
  }
  return escapeControls(formatCell(value, type));
}

/**
 * An aligned text table. Tree rows get Volatility's "*" depth markers before the first column.
 * Control characters from memory are escaped so they cannot drive the terminal.
 */
export function textTable(columns: readonly Column[], rows: readonly PluginRow[]): string {
  const body = rows.map((r) =>
    columns.map((c, i) => (i === 0 && r.depth > 0 ? `${'*'.repeat(r.depth)} ` : '') + textCell(r.values[i] ?? null, c.type)),
  );
  const header = columns.map((c) => c.name);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), '', ...body.map(line)].join('\n') + '\n';
}
