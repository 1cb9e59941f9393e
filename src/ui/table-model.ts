import { ipValue } from './address-order.ts';
import type { Cell, Column, ColumnType, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';

export interface SortSpec {
  readonly column: number;
  readonly descending: boolean;
}

/** An order in words, for an export's metadata: "PID descending"; null when the rows are in the run's own order. */
export function orderLabel(columns: readonly Column[], sort: SortSpec | undefined): string | null {
  const column = sort && columns[sort.column];
  return column ? `${column.name} ${sort.descending ? 'descending' : 'ascending'}` : null;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Orders two cells of a column: N/A first, IP addresses by value, numbers (number and bigint alike, so hex addresses sort by
 * value) before text, text columns in natural case-insensitive order, other text (ISO dates) by code unit.
 */
export function compareCells(type: ColumnType): (a: Cell, b: Cell) => number {
  return (a, b) => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    const aText = typeof a === 'string';
    const bText = typeof b === 'string';
    if (aText && bText && type === 'str') {
      // Addresses (network results) by value: 10.0.0.9 before 10.0.0.10, IPv4 before IPv6.
      const [x, y] = [ipValue(a), ipValue(b)];
      if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
      return collator.compare(a, b);
    }
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

  /**
   * Rows that pass `query`, ordered by `sort` (stable). The query's `column:value` words test one column (`pid:>1000`,
   * `name:svchost`; see columnTests); the rest of it must appear in the row's shown text (case-insensitive).
   */
  view(query: string, sort: SortSpec | undefined): PluginRow[] {
    const { tests, rest } = columnTests(this.columns, query);
    const needle = rest.toLowerCase();
    const passes = (row: PluginRow, i: number) =>
      (!needle || this.text(i).includes(needle)) && tests.every((t) => t.test(row.values[t.column] ?? null));
    const view = needle || tests.length > 0 ? this.rows.filter(passes) : this.rows.slice();
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

/** One column's test from a `column:value` word of the filter. */
export interface ColumnTest {
  readonly column: number;
  readonly test: (cell: Cell) => boolean;
}

const COMPARISON = /^(>=|<=|>|<|=)(.+)$/;

/**
 * The `column:value` words of a filter query and what is left of it. A word names a column by its name or a part of it
 * (`pid` → PID, `name` → ImageFileName), case-insensitively; a word naming none stays text. On numbers and addresses
 * `>`, `<`, `>=`, `<=`, `=` compare values (decimal or 0x…); otherwise the value must appear in the cell's text.
 */
export function columnTests(columns: readonly Column[], query: string): { tests: ColumnTest[]; rest: string } {
  const tests: ColumnTest[] = [];
  const rest: string[] = [];
  for (const word of query.trim().split(/\s+/).filter(Boolean)) {
    // A key of two letters or more: "C:\Windows" stays text.
    const m = /^([a-z][\w.()]+):(.+)$/i.exec(word);
    const column = m ? findColumn(columns, m[1]!) : -1;
    if (!m || column < 0) {
      rest.push(word);
      continue;
    }
    tests.push({ column, test: cellTest(columns[column]!, m[2]!) });
  }
  return { tests, rest: rest.join(' ') };
}

function findColumn(columns: readonly Column[], key: string): number {
  const k = key.toLowerCase();
  const exact = columns.findIndex((c) => c.name.toLowerCase() === k);
  return exact >= 0 ? exact : columns.findIndex((c) => c.name.toLowerCase().includes(k));
}

function cellTest(column: Column, value: string): (cell: Cell) => boolean {
  const m = COMPARISON.exec(value);
  const number = m ? toBigInt(m[2]!) : undefined;
  if (m && number !== undefined && (column.type === 'int' || column.type === 'hex')) {
    const op = m[1]!;
    return (cell) => {
      const v = typeof cell === 'number' || typeof cell === 'bigint' ? BigInt(cell) : undefined;
      if (v === undefined) return false;
      return op === '>' ? v > number : op === '<' ? v < number : op === '>=' ? v >= number : op === '<=' ? v <= number : v === number;
    };
  }
  const needle = value.toLowerCase();
  return (cell) => formatCell(cell, column.type).toLowerCase().includes(needle);
}

function toBigInt(text: string): bigint | undefined {
  return /^(0x[0-9a-f]+|\d+)$/i.test(text) ? BigInt(text) : undefined;
}
