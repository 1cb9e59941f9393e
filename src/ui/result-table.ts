import '@lit-labs/virtualizer';
import type { RangeChangedEvent } from '@lit-labs/virtualizer/events.js';
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { contentWidths, fitWidth, gridMinWidth, gridTemplate, sampleRows, widen, type ColumnWidth } from './column-widths.ts';
import type { HiddenChangeEvent } from './column-chooser.ts';
import './column-chooser.ts';
import { focusCell, moveCursor, type GridCursor } from './grid-keys.ts';
import { VIRTUALIZER_STYLE, followScroll, frameStyle, gridStyles, isNumeric, renderCells } from './grid-layout.ts';
import { processOfRow, type ProcessOpenEvent, type ProcessRef } from './process-sections.ts';
import { controlStyles } from './shared-styles.ts';
import { TableModel, type SortSpec } from './table-model.ts';
import { MARK_TEXT, markClass, markTitle, type ProcessMark } from './process-marks.ts';
import { ifDefined } from 'lit/directives/if-defined.js';

/**
 * The rows the table shows now, in its order, whether a filter or a sort narrows or reorders them, and the filter text
 * and order that do.
 */
export type ViewChangeEvent = CustomEvent<{
  readonly shown: readonly PluginRow[];
  readonly narrowed: boolean;
  readonly query: string;
  readonly sort: SortSpec | undefined;
}>;

/** A click on a value of an address column, e.g. to open it in the hex view; `row` is the whole row (a process address needs its PID). */
export type CellActivateEvent = CustomEvent<{ readonly column: Column; readonly value: string; readonly row: PluginRow }>;

/** The narrowest a dragged column gets, and how far one arrow key press moves a focused column edge. */
const MIN_DRAG_PX = 24;
const KEY_STEP_PX = 16;

/**
 * A plugin's rows as a virtualized table: click a header to sort, type to filter; columns as wide as their content
 * (sampled), resizable by dragging a header's edge (double-click: fit the whole content), hidden or shown from
 * the column chooser; clicked addresses (columns with `address`) raise `cell-activate`; a clicked row shows every
 * value in full below the table (multi-line ones too, hidden columns too).
 */
@customElement('result-table')
export class ResultTable extends LitElement {
  static override styles = [
    controlStyles,
    gridStyles,
    css`
      /* Addresses open in the hex view (cell-activate). */
      .cell.address {
        cursor: pointer;
      }
      .cell.address:hover {
        text-decoration: underline;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8em;
        align-items: center;
        margin-bottom: 0.4em;
      }
      .toolbar input {
        flex: 0 1 24em;
      }
      .grid-head > div {
        position: relative;
      }
      /* A column's right edge: drag to resize, double-click to fit its content, arrow keys when focused. */
      .resize {
        position: absolute;
        top: 0;
        right: 0;
        bottom: 0;
        width: 6px;
        cursor: col-resize;
        touch-action: none;
      }
      .resize:hover,
      .resize:focus-visible {
        background: var(--ms-accent);
        outline: none;
      }
      .grid-head button {
        all: unset;
        display: block;
        padding: 0 6px;
        cursor: pointer;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .grid-head button:focus-visible {
        outline: 2px solid var(--ms-accent);
      }
      .grid-head .num button {
        text-align: right;
      }
      .grid-row {
        cursor: default;
      }
      .grid-row.selected {
        background: var(--ms-selected, var(--ms-hover));
        outline: 1px solid var(--ms-accent);
        outline-offset: -1px;
      }
      .row-details {
        margin: 0.6em 0 0;
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
        padding: 0.4em 0.6em;
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.15em 1em;
        max-height: 40vh;
        overflow: auto;
      }
      .row-details dt {
        font-weight: 600;
      }
      .row-details button {
        margin-left: 0.6em;
        font-size: 0.8em;
        vertical-align: top;
      }
      .row-details dd {
        margin: 0;
        font-family: var(--ms-mono, monospace);
        font-size: 12px;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) columns: readonly Column[] = [];
  /** Appended in place while a job streams; bump `version` to show the new rows. */
  @property({ attribute: false }) rows: readonly PluginRow[] = [];
  @property({ type: Number }) version = 0;
  /** The filter typed (set it to show a run's view again); `view-change` tells when the user changes it, or the order. */
  @property({ attribute: false }) query = '';
  @property({ attribute: false }) sort: SortSpec | undefined;
  /** Marks process rows that are hidden or exited (the filter's `is:hidden` / `is:exited` keep only those). */
  @property({ attribute: false }) mark: ((row: PluginRow) => ProcessMark | undefined) | undefined;
  /** More about a selected row, shown at the end of its details (e.g. where else a cached name shows). */
  @property({ attribute: false }) related: ((row: PluginRow) => TemplateResult | typeof nothing) | undefined;
  /** The clicked row, shown in full under the table. */
  @state() private selected: PluginRow | undefined;
  /** Widths the user set (dragged, or fitted by a double-click), by column index. */
  @state() private setWidths: ReadonlyMap<number, ColumnWidth> = new Map();
  @state() private hiddenColumns: ReadonlySet<number> = new Set();
  /** The cell in the tab order (arrow keys move it): a row of the shown rows, a position among the shown columns. */
  @state() private cursor: GridCursor = { row: 0, column: 0 };
  private model = new TableModel([], []);
  private view: readonly PluginRow[] = [];
  private widths: readonly ColumnWidth[] = [];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('columns') || changed.has('rows')) {
      this.model = new TableModel(this.columns, this.rows);
      // Other columns (another plugin's, or the same run's labelled for its options): hidden ones, set widths and the
      // selection were about the last ones. The filter and the order are whoever set them's (the page keeps one per run).
      if (changed.has('columns') && changed.get('columns') !== undefined) {
        this.selected = undefined;
        this.setWidths = new Map();
        this.hiddenColumns = new Set();
        this.cursor = { row: 0, column: 0 };
      }
    }
    if (changed.has('columns') || changed.has('rows') || changed.has('version')) {
      const widths = contentWidths(this.columns, this.rows);
      this.widths = changed.has('columns') ? widths : widen(this.widths, widths);
    }
    const mark = this.mark;
    // Filtered and sorted again only when what it depends on changes: not on a click or a key press in the grid (on
    // 100k rows a sort takes tens of milliseconds).
    const viewChanged = ['columns', 'rows', 'version', 'query', 'sort', 'mark'].some((k) => changed.has(k as keyof ResultTable));
    if (viewChanged || !this.hasUpdated) {
      const { marks, rest } = markWords(this.query);
      const view = this.model.view(rest, this.sort);
      this.view = mark && marks.length > 0 ? view.filter((r) => marks.every((m) => mark(r)?.includes(m))) : view;
    }
    if (changed.has('mark') || changed.has('rows') || changed.has('version')) this.markCounts = countMarks(this.rows, mark);
  }

  /** How many rows are hidden and how many exited (for the legend). */
  private markCounts = { hidden: 0, exited: 0 };

  /** Indexes of the columns shown, in order. */
  private get shown(): number[] {
    return [...this.columns.keys()].filter((i) => !this.hiddenColumns.has(i));
  }

  protected override updated(changed: PropertyValues): void {
    // What is shown, for exporting exactly that: when the filter or the order changes, and as rows stream into a narrowed view.
    const narrowed = this.query.trim() !== '' || this.sort !== undefined;
    if (changed.has('query') || changed.has('sort') || (narrowed && (changed.has('version') || changed.has('rows')))) {
      this.dispatchEvent(
        new CustomEvent('view-change', {
          detail: { shown: this.view, narrowed, query: this.query, sort: this.sort },
          bubbles: true,
          composed: true,
        }) satisfies ViewChangeEvent,
      );
    }
    // The details sit under a tall grid: bring them into view when a row is picked.
    if (changed.has('selected') && this.selected) this.renderRoot.querySelector('.row-details')?.scrollIntoView({ block: 'nearest' });
  }

  override render() {
    const shown = this.shown;
    const widths = shown.map((i) => this.setWidths.get(i) ?? this.widths[i] ?? { ch: 10, grow: false });
    const template = gridTemplate(widths);
    return html`
      <div class="toolbar">
        <input type="search" placeholder="Filter rows: text, or column:value (pid:>1000 name:svchost)" aria-label="Filter rows" .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
        <span class="count">${this.rows.length} rows (${this.view.length} shown)</span>
        ${this.renderMarkLegend()}
        <column-chooser .columns=${this.columns} .hiddenColumns=${this.hiddenColumns}
          @hidden-change=${(e: HiddenChangeEvent) => (this.hiddenColumns = e.detail)}></column-chooser>
      </div>
      <div class="grid-frame" role="grid" aria-rowcount=${this.view.length + 1} aria-colcount=${shown.length}
        aria-label="Results: arrow keys move between cells, Enter opens an address, or on a PID the process view" @keydown=${(e: KeyboardEvent) => this.onKey(e, shown)}
        style=${frameStyle(gridMinWidth(widths), this.view.length)}>
          <div class="grid-head-frame">
            <div class="grid-head" role="row" aria-rowindex="1" style="grid-template-columns: ${template}">
              ${shown.map((i, position) => this.renderHeader(this.columns[i]!, i, widths[position]!))}
            </div>
          </div>
          <lit-virtualizer scroller style=${VIRTUALIZER_STYLE} @scroll=${followScroll} @rangeChanged=${(e: RangeChangedEvent) => this.keepTabStop(e)} .items=${this.view}
            .renderItem=${(row: PluginRow, index: number) =>
              html`<div class="grid-row ${row === this.selected ? 'selected' : ''} ${markClass(this.mark?.(row))}" role="row"
                aria-rowindex=${index + 2} data-index=${index} aria-description=${ifDefined(markTitle(this.mark?.(row)))}
                aria-selected=${row === this.selected ? 'true' : 'false'} style="grid-template-columns: ${template}"
                @click=${(e: MouseEvent) => this.activateCell(e, row, shown, index)} @dblclick=${() => this.openRowProcess(row)}>${renderCells(
                  this.columns,
                  row,
                  nothing,
                  shown,
                  index === this.cursor.row ? Math.min(this.cursor.column, shown.length - 1) : -1,
                )}</div>`}
          ></lit-virtualizer>
      </div>
      ${this.selected ? this.renderDetails(this.selected) : nothing}
    `;
  }

  /** What the marked rows are, with their counts: each a filter word to show only them. */
  private renderMarkLegend() {
    const { hidden, exited } = this.markCounts;
    if (hidden + exited === 0) return nothing;
    const item = (mark: 'hidden' | 'exited', count: number) =>
      count === 0
        ? nothing
        : html`<button class="legend mark-${mark}" title="${MARK_TEXT[mark]}. Show only these (filter is:${mark})"
            @click=${() => (this.query = `is:${mark}`)}><span class="swatch"></span>${count} ${mark}</button>`;
    return html`<span class="legend-items">${item('hidden', hidden)}${item('exited', exited)}</span>`;
  }

  /** Every column of the selected row, values as text in full (newlines kept), each with a copy button; and the whole row. */
  private renderDetails(row: PluginRow) {
    const texts = this.columns.map((c, i) => formatCell(row.values[i] ?? null, c.type).replace(/^\n+/, ''));
    const tsv = `${this.columns.map((c) => c.name).join('\t')}\n${texts.map((t) => t.replace(/[\t\n]+/g, ' ')).join('\t')}\n`;
    const process = processOfRow(this.columns, row);
    return html`<dl class="row-details" aria-label="Selected row">
      ${this.columns.map(
        (c, i) => html`<dt>${c.name}</dt><dd><span class="value">${texts[i]}</span>
          <button class="copy" title="Copy ${c.name}" @click=${() => copyText(texts[i]!)}>Copy</button></dd>`,
      )}
      <dt></dt><dd><button class="copy-row" title="Copy the row as tab-separated text with its column names" @click=${() => copyText(tsv)}>Copy row</button>${
        process
          ? html`<button class="open-process" title="Everything the plugins know about this process, in one view" @click=${() => this.openProcess(process)}>
              Process view: ${process.pid}${process.name ? ` ${process.name}` : ''}</button>`
          : nothing
      }</dd>
      ${this.related?.(row) ?? nothing}
    </dl>`;
  }

  /** The row's process in the process view, when the row is about one. */
  private openRowProcess(row: PluginRow): void {
    const process = processOfRow(this.columns, row);
    if (process) this.openProcess(process);
  }

  private openProcess(process: ProcessRef): void {
    this.dispatchEvent(new CustomEvent('process-open', { detail: process, bubbles: true, composed: true }) satisfies ProcessOpenEvent);
  }

  private renderHeader(column: Column, index: number, width: ColumnWidth) {
    const sorted = this.sort?.column === index ? this.sort : undefined;
    const ariaSort = sorted ? (sorted.descending ? 'descending' : 'ascending') : 'none';
    return html`<div class=${isNumeric(column.type) ? 'num' : ''} role="columnheader" aria-sort=${ariaSort}>
      <button title="Sort by ${column.name}" @click=${() => this.toggleSort(index)}>
        ${column.name}${sorted ? (sorted.descending ? ' ▼' : ' ▲') : ''}
      </button>
      <span class="resize" role="separator" aria-orientation="vertical" aria-label="Width of ${column.name}" tabindex="0"
        aria-valuenow=${widthValue(width)} aria-valuemin="1" aria-valuemax="10000" aria-valuetext=${'px' in width ? `${width.px} pixels` : `${width.ch} characters`}
        title="Drag to resize; double-click to fit the whole content"
        @pointerdown=${(e: PointerEvent) => this.dragEdge(e, index)}
        @dblclick=${() => this.fitColumn(index)}
        @keydown=${(e: KeyboardEvent) => this.nudgeEdge(e, index)}></span>
    </div>`;
  }

  /** Follows the pointer until it is released: the column's right edge moves with it. */
  private dragEdge(e: PointerEvent, index: number): void {
    const handle = e.currentTarget as HTMLElement;
    const start = handle.parentElement!.getBoundingClientRect().width;
    const x = e.clientX;
    const move = (m: PointerEvent) => this.setWidth(index, start + m.clientX - x);
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.setPointerCapture?.(e.pointerId);
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
    e.preventDefault();
  }

  private nudgeEdge(e: KeyboardEvent, index: number): void {
    const step = e.key === 'ArrowRight' ? KEY_STEP_PX : e.key === 'ArrowLeft' ? -KEY_STEP_PX : 0;
    if (step === 0) return;
    e.preventDefault();
    this.setWidth(index, (e.currentTarget as HTMLElement).parentElement!.getBoundingClientRect().width + step);
  }

  private setWidth(index: number, px: number): void {
    this.setWidths = new Map(this.setWidths).set(index, { px: Math.max(MIN_DRAG_PX, Math.round(px)) });
  }

  /** The width of the column's longest value (first lines, sampled), however long. */
  private fitColumn(index: number): void {
    const ch = fitWidth(this.columns[index]!, index, sampleRows(this.view), true);
    this.setWidths = new Map(this.setWidths).set(index, { ch, grow: false });
  }

  /** Arrow keys, Page Up/Down, Home/End move between cells (the grid scrolls to keep the cell in view); Enter acts as a click. */
  private onKey(e: KeyboardEvent, shown: readonly number[]): void {
    if (!(e.target as Element).matches('[role=gridcell]')) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      (e.target as HTMLElement).click();
      // On a PID: the process's own view (as a double-click on its row).
      const row = this.view[this.cursor.row];
      if (row && this.columns[shown[this.cursor.column] ?? -1]?.name === 'PID') this.openRowProcess(row);
      return;
    }
    const next = moveCursor(e.key, e.ctrlKey || e.metaKey, this.cursor, this.view.length, shown.length);
    if (!next) return;
    e.preventDefault();
    this.cursor = next;
    void this.focusCursor();
  }

  /**
   * The virtualizer drew other rows (scrolled, or the view changed): unless the keyboard is in the grid, a cursor whose
   * row is not drawn moves to the first drawn row, so that the grid keeps a cell in the tab order.
   */
  private keepTabStop(e: RangeChangedEvent): void {
    const { row, column } = this.cursor;
    if (e.first < 0 || (row >= e.first && row <= e.last) || (this.renderRoot as ShadowRoot).activeElement?.matches('[role=gridcell]')) return;
    this.cursor = { row: e.first, column };
  }

  private async focusCursor(): Promise<void> {
    await this.updateComplete;
    await focusCell(this.renderRoot, this.cursor.row, this.cursor.column);
  }

  private activateCell(e: MouseEvent, row: PluginRow, shown: readonly number[], rowIndex: number): void {
    this.selected = row;
    const cell = (e.target as Element).closest('[role=gridcell]');
    const position = cell?.parentElement ? [...cell.parentElement.children].indexOf(cell) : -1;
    if (position >= 0) this.cursor = { row: rowIndex, column: position };
    const index = shown[position] ?? -1;
    const column = this.columns[index];
    const value = row.values[index];
    if (!column?.address || value === null || value === undefined) return;
    const detail = { column, value: formatCell(value, column.type), row };
    this.dispatchEvent(new CustomEvent('cell-activate', { detail, bubbles: true, composed: true }) satisfies CellActivateEvent);
  }

  private toggleSort(column: number): void {
    this.sort = this.sort?.column === column ? { column, descending: !this.sort.descending } : { column, descending: false };
  }
}

/** A column's width as its edge's value: pixels where the user set them, else characters. */
function widthValue(width: ColumnWidth): number {
  return 'px' in width ? width.px : width.ch;
}

/** The `is:hidden` / `is:exited` words of a filter, and the rest of it. */
function markWords(query: string): { marks: string[]; rest: string } {
  const marks: string[] = [];
  const rest = query.replace(/(^|\s)is:(hidden|exited)(?=\s|$)/gi, (_, space: string, mark: string) => {
    marks.push(mark.toLowerCase());
    return space;
  });
  return { marks, rest };
}

function countMarks(rows: readonly PluginRow[], mark: ((row: PluginRow) => ProcessMark | undefined) | undefined) {
  const counts = { hidden: 0, exited: 0 };
  if (!mark) return counts;
  for (const row of rows) {
    const m = mark(row);
    if (m?.includes('hidden')) counts.hidden++;
    if (m?.includes('exited')) counts.exited++;
  }
  return counts;
}

/** To the clipboard (the user's own click; nothing leaves the machine). */
function copyText(text: string): void {
  void navigator.clipboard?.writeText(text);
}

declare global {
  interface HTMLElementTagNameMap {
    'result-table': ResultTable;
  }
}
