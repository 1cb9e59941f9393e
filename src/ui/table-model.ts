import type { Cell, Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';

export interface SortSpec {
  readonly column: number;
  readonly descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Orders two cells of a column: N/A first, numbers (number and bigint alike, so hex addresses sort by
 * value) before text, text columns in natural case-insensitive order, other text (ISO dates) by code unit.
 */
export function compareCells(type: ColumnType): (a: Cell, b: Cell) => number {
  return (a, b) => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    const aText = typeof a === 'string';
    const bText = typeof b === 'string';
    if (aText && bText && type === 'str') return collator.compare(a, b);
    if (aText === bText) return a < b ? -1 : a > b ? 1 : 0;
    return aText ? 1 : -1;
  };
}

/** The rows of one result with a lazily built text index for filtering; rows may be appended later. */
export class TableModel {
  private readonly texts: string[] = [];

  constructor(
    readonly columns: readonly Column[],
    readonly rows: readonly PluginRow[],
  ) {}

  /** Rows whose shown text contains `query` (case-insensitive), ordered by `sort` (stable). */
  view(query: string, sort: SortSpec | undefined): PluginRow[] {
    const needle = query.trim().toLowerCase();
    const view = needle ? this.rows.filter((_, i) => this.text(i).includes(needle)) : this.rows.slice();
    if (sort && sort.column < this.columns.length) {
      const compare = compareCells(this.columns[sort.column]!.type);
      const sign = sort.descending ? -1 : 1;
      const at = sort.column;
      view.sort((a, b) => sign * compare(a.values[at] ?? null, b.values[at] ?? null));
    }
    return view;
  }

  private text(index: number): string {
    for (let i = this.texts.length; i <= index; i++) {
      const row = this.rows[i]!;
      this.texts.push(
        this.columns
          .map((c, k) => formatCell(row.values[k] ?? null, c.type))
          .join('\u0000')
          .toLowerCase(),
      );
    }
    return this.texts[index]!;
  }
}
