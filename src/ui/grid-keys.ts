import type { LitVirtualizer } from '@lit-labs/virtualizer';

/** Where the keyboard is in a grid: a row of the shown rows and a position among the shown columns. */
export interface GridCursor {
  readonly row: number;
  readonly column: number;
}

/** Rows one Page Up / Page Down moves. */
const PAGE = 20;

/**
 * The cursor after a navigation key (the ARIA grid pattern: arrows, Home/End in the row, Ctrl+Home/End to the
 * first/last row, Page Up/Down); null for any other key.
 */
export function moveCursor(key: string, ctrl: boolean, at: GridCursor, rows: number, columns: number): GridCursor | null {
  const clamp = (row: number, column: number): GridCursor => ({
    row: Math.max(0, Math.min(rows - 1, row)),
    column: Math.max(0, Math.min(columns - 1, column)),
  });
  switch (key) {
    case 'ArrowDown':
      return clamp(at.row + 1, at.column);
    case 'ArrowUp':
      return clamp(at.row - 1, at.column);
    case 'ArrowRight':
      return clamp(at.row, at.column + 1);
    case 'ArrowLeft':
      return clamp(at.row, at.column - 1);
    case 'PageDown':
      return clamp(at.row + PAGE, at.column);
    case 'PageUp':
      return clamp(at.row - PAGE, at.column);
    case 'Home':
      return ctrl ? clamp(0, at.column) : clamp(at.row, 0);
    case 'End':
      return ctrl ? clamp(rows - 1, at.column) : clamp(at.row, columns - 1);
    default:
      return null;
  }
}

/** Animation frames to wait for the virtualizer to draw a row scrolled into view. */
const DRAW_FRAMES = 10;

/** Focuses cell `column` of row `row` of a virtualized grid, its row scrolled in first when it is not drawn. */
export async function focusCell(root: ParentNode, row: number, column: number): Promise<void> {
  const cellAt = () => root.querySelector<HTMLElement>(`.grid-row[data-index="${row}"] [role=gridcell]:nth-child(${column + 1})`);
  if (!cellAt()) {
    root.querySelector<LitVirtualizer>('lit-virtualizer')?.element(row)?.scrollIntoView({ block: 'nearest' });
    for (let frame = 0; frame < DRAW_FRAMES && !cellAt(); frame++) await new Promise((r) => requestAnimationFrame(r));
  }
  cellAt()?.focus();
}
