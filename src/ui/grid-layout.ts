import { css, html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { firstLine } from './cell-text.ts';

/** A row's height: 20px and its 1px rule. */
const ROW_PX = 21;

/**
 * The virtualizer's inline style: it sets its own least height (150px) inline unless one is there already, so a
 * grid of a few rows would stand taller than they are.
 */
export const VIRTUALIZER_STYLE = styleMap({ minHeight: 'min(240px, var(--ms-grid-fit, 240px))' });

/** The style that lets a grid of `rows` rows be no taller than they are. */
export function fitRows(rows: number): string {
  return `--ms-grid-fit: ${rows * ROW_PX + 2}px`;
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
  .cell:focus-visible {
    outline: 2px solid var(--ms-accent);
    outline-offset: -2px;
  }
  /* As tall as the rows need (--ms-grid-fit), at most --ms-grid-height; the least height is VIRTUALIZER_STYLE's. */
  lit-virtualizer {
    height: min(var(--ms-grid-height, 60vh), var(--ms-grid-fit, 100000px));
  }
`;

/**
 * One cell per shown column (`shown`: column indexes, all by default; class `address` when its column holds
 * addresses), the one at position `focusable` in the tab order (a roving tabindex: the grid is one tab stop);
 * text via Lit bindings only (memory-derived strings are never parsed as HTML).
 */
export function renderCells(
  columns: readonly Column[],
  row: PluginRow,
  firstCellLead: TemplateResult | typeof nothing = nothing,
  shown: readonly number[] = [...columns.keys()],
  focusable = -1,
) {
  return shown.map((index, position) => {
    const column = columns[index]!;
    const text = formatCell(row.values[index] ?? null, column.type);
    return html`<div class="cell ${isNumeric(column.type) ? 'num' : ''} ${column.type} ${column.address ? 'address' : ''}" role="gridcell"
      tabindex=${position === focusable ? 0 : -1} title=${text}>${position === 0 ? firstCellLead : nothing}${firstLine(text)}</div>`;
  });
}
