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

/**
 * The grid frame's style: its rows at least `minWidth` wide (wider than the frame, they scroll sideways), and no
 * taller than `rows` rows are.
 */
export function frameStyle(minWidth: string, rows: number): string {
  return `--ms-grid-min-width: ${minWidth}; --ms-grid-fit: ${rows * ROW_PX + 2}px`;
}

/**
 * The rows scroll both ways (so the vertical scrollbar stays in view and the first column can stick to the left
 * edge); the header, just before them, follows them sideways.
 */
export function followScroll(e: Event): void {
  const rows = e.currentTarget as HTMLElement;
  const head = rows.previousElementSibling;
  if (head && head.scrollLeft !== rows.scrollLeft) head.scrollLeft = rows.scrollLeft;
}

export function isNumeric(type: ColumnType): boolean {
  return type === 'int' || type === 'hex';
}

/** Dense monospace grid shared by result-table and process-tree. */
export const gridStyles = css`
  .grid-frame {
    border: 1px solid var(--ms-border);
    overflow: hidden;
    background: var(--ms-surface);
  }
  .grid-head-frame {
    overflow: hidden;
  }
  .grid-head,
  .grid-row {
    display: grid;
    font-family: var(--ms-mono, monospace);
    font-size: 12px;
    line-height: 20px;
  }
  .grid-head {
    background: var(--ms-header);
    border-bottom: 1px solid var(--ms-border-strong);
    font-weight: 600;
  }
  .grid-head,
  .grid-row {
    min-width: var(--ms-grid-min-width, 0);
  }
  .grid-row {
    width: 100%;
    border-bottom: 1px solid var(--ms-row-rule);
    background: var(--ms-surface);
  }
  /* The key column (PID, offset, the tree) stays in view when the rows scroll sideways. */
  .grid-head > :first-child,
  .grid-row > :first-child {
    position: sticky;
    left: 0;
    z-index: 1;
    background: inherit;
    box-shadow: inset -1px 0 var(--ms-border);
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
  /* Process rows: hidden ones (not on the active list) flagged at their left edge, exited ones in italics. */
  .grid-row.mark-hidden > :first-child,
  .legend.mark-hidden .swatch {
    box-shadow:
      inset 4px 0 var(--ms-warning),
      inset -1px 0 var(--ms-border);
  }
  .grid-row.mark-exited,
  .legend.mark-exited {
    font-style: italic;
  }
  .legend .swatch {
    display: inline-block;
    width: 1em;
    height: 0.9em;
    margin-right: 0.3em;
    vertical-align: middle;
    border: 1px solid var(--ms-border);
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
