import { css, html, nothing, type TemplateResult } from 'lit';
import type { Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';

/** Column widths in `ch`; text columns share the remaining space. Virtualized rows are separate grids, so widths must not depend on content. */
const TYPE_WIDTH: Record<ColumnType, number> = { int: 9, hex: 20, datetime: 27, bool: 7, bytes: 26, str: 18 };

function columnWidth(column: Column): number {
  return Math.max(TYPE_WIDTH[column.type], column.name.length + 4);
}

export function gridTemplate(columns: readonly Column[], firstColumnExtra = 0): string {
  return columns
    .map((c, i) => {
      const width = columnWidth(c) + (i === 0 ? firstColumnExtra : 0);
      return c.type === 'str' ? `minmax(${width}ch, 1fr)` : `${width}ch`;
    })
    .join(' ');
}

/** Minimum width of a row, so narrow windows scroll sideways instead of crushing columns. */
export function gridMinWidth(columns: readonly Column[], firstColumnExtra = 0): string {
  return `${columns.reduce((sum, c) => sum + columnWidth(c), firstColumnExtra)}ch`;
}

export function isNumeric(type: ColumnType): boolean {
  return type === 'int' || type === 'hex';
}

/** Dense monospace grid shared by result-table and process-tree. */
export const gridStyles = css`
  .grid-frame {
    border: 1px solid var(--ms-border);
    overflow-x: auto;
    background: var(--ms-surface);
  }
  .grid-head,
  .grid-row {
    display: grid;
    font-family: var(--ms-mono);
    font-size: 12px;
    line-height: 20px;
  }
  .grid-head {
    background: var(--ms-header);
    border-bottom: 1px solid var(--ms-border-strong);
    font-weight: 600;
  }
  .grid-row {
    width: 100%;
    border-bottom: 1px solid var(--ms-row-rule);
  }
  .grid-row:hover {
    background: var(--ms-hover);
  }
  .cell {
    padding: 0 6px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: pre;
    height: 20px;
  }
  .num {
    text-align: right;
  }
  lit-virtualizer {
    height: var(--ms-grid-height, 60vh);
    min-height: 240px;
  }
`;

/** One cell per column (class `address` when its column holds addresses); text via Lit bindings only (memory-derived strings are never parsed as HTML). */
export function renderCells(columns: readonly Column[], row: PluginRow, firstCellLead: TemplateResult | typeof nothing = nothing) {
  return columns.map((column, i) => {
    const text = formatCell(row.values[i] ?? null, column.type);
    return html`<div class="cell ${isNumeric(column.type) ? 'num' : ''} ${column.type} ${column.address ? 'address' : ''}" role="cell" title=${text}>${i === 0 ? firstCellLead : nothing}${firstLine(text)}</div>`;
  });
}

/** A row is one line high: a multi-line value (a hexdump, a disassembly) shows its first non-empty line and "…"; the whole is in the title and the row's details. */
export function firstLine(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return text;
  return lines.length - first > 1 ? `${lines[first]} …` : lines[first]!;
}
