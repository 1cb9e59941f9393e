import '@lit-labs/virtualizer';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { gridMinWidth, gridStyles, gridTemplate, isNumeric, renderCells } from './grid-layout.ts';
import { controlStyles } from './shared-styles.ts';
import { TableModel, type SortSpec } from './table-model.ts';

/** The rows the table shows now, in its order, and whether a filter or a sort narrows or reorders them. */
export type ViewChangeEvent = CustomEvent<{ readonly shown: readonly PluginRow[]; readonly narrowed: boolean }>;

/** A click on a value of an address column, e.g. to open it in the hex view; `row` is the whole row (a process address needs its PID). */
export type CellActivateEvent = CustomEvent<{ readonly column: Column; readonly value: string; readonly row: PluginRow }>;

/**
 * A plugin's rows as a virtualized table: click a header to sort, type to filter; clicked addresses (columns with
 * `address`) raise `cell-activate`; a clicked row shows every value in full below the table (multi-line ones too).
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
        gap: 0.8em;
        align-items: center;
        margin-bottom: 0.4em;
      }
      .toolbar input {
        flex: 0 1 24em;
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
        font-family: var(--ms-mono);
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
  @state() private query = '';
  @state() private sort: SortSpec | undefined;
  /** The clicked row, shown in full under the table. */
  @state() private selected: PluginRow | undefined;
  private model = new TableModel([], []);
  private view: readonly PluginRow[] = [];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('columns') || changed.has('rows')) {
      this.model = new TableModel(this.columns, this.rows);
      // A new plugin's result starts unsorted and unfiltered.
      if (changed.has('columns')) {
        this.sort = undefined;
        this.query = '';
        this.selected = undefined;
      }
    }
    this.view = this.model.view(this.query, this.sort);
  }

  protected override updated(changed: PropertyValues): void {
    // What is shown, for exporting exactly that: when the filter or the order changes, and as rows stream into a narrowed view.
    const narrowed = this.query.trim() !== '' || this.sort !== undefined;
    if (changed.has('query') || changed.has('sort') || (narrowed && (changed.has('version') || changed.has('rows')))) {
      this.dispatchEvent(
        new CustomEvent('view-change', { detail: { shown: this.view, narrowed }, bubbles: true, composed: true }) satisfies ViewChangeEvent,
      );
    }
    // The details sit under a tall grid: bring them into view when a row is picked.
    if (changed.has('selected') && this.selected) this.renderRoot.querySelector('.row-details')?.scrollIntoView({ block: 'nearest' });
  }

  override render() {
    const template = gridTemplate(this.columns);
    return html`
      <div class="toolbar">
        <input type="search" placeholder="Filter rows: text, or column:value (pid:>1000 name:svchost)" aria-label="Filter rows" .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
        <span class="count">${this.rows.length} rows (${this.view.length} shown)</span>
      </div>
      <div class="grid-frame" role="table">
        <div style="min-width: ${gridMinWidth(this.columns)}">
          <div class="grid-head" role="row" style="grid-template-columns: ${template}">
            ${this.columns.map((c, i) => this.renderHeader(c, i))}
          </div>
          <lit-virtualizer scroller .items=${this.view}
            .renderItem=${(row: PluginRow) =>
              html`<div class="grid-row ${row === this.selected ? 'selected' : ''}" role="row" aria-selected=${row === this.selected ? 'true' : 'false'}
                style="grid-template-columns: ${template}"
                @click=${(e: MouseEvent) => this.activateCell(e, row)}>${renderCells(this.columns, row)}</div>`}
          ></lit-virtualizer>
        </div>
      </div>
      ${this.selected ? this.renderDetails(this.selected) : nothing}
    `;
  }

  /** Every column of the selected row, values as text in full (newlines kept), each with a copy button; and the whole row. */
  private renderDetails(row: PluginRow) {
    const texts = this.columns.map((c, i) => formatCell(row.values[i] ?? null, c.type).replace(/^\n+/, ''));
    const tsv = `${this.columns.map((c) => c.name).join('\t')}\n${texts.map((t) => t.replace(/[\t\n]+/g, ' ')).join('\t')}\n`;
    return html`<dl class="row-details" aria-label="Selected row">
      ${this.columns.map(
        (c, i) => html`<dt>${c.name}</dt><dd><span class="value">${texts[i]}</span>
          <button class="copy" title="Copy ${c.name}" @click=${() => copyText(texts[i]!)}>Copy</button></dd>`,
      )}
      <dt></dt><dd><button class="copy-row" title="Copy the row as tab-separated text with its column names" @click=${() => copyText(tsv)}>Copy row</button></dd>
    </dl>`;
  }

  private renderHeader(column: Column, index: number) {
    const sorted = this.sort?.column === index ? this.sort : undefined;
    const ariaSort = sorted ? (sorted.descending ? 'descending' : 'ascending') : 'none';
    return html`<div class=${isNumeric(column.type) ? 'num' : ''} role="columnheader" aria-sort=${ariaSort}>
      <button title="Sort by ${column.name}" @click=${() => this.toggleSort(index)}>
        ${column.name}${sorted ? (sorted.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </div>`;
  }

  private activateCell(e: MouseEvent, row: PluginRow): void {
    this.selected = row;
    const cell = (e.target as Element).closest('[role=cell]');
    const index = cell?.parentElement ? [...cell.parentElement.children].indexOf(cell) : -1;
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

/** To the clipboard (the user's own click; nothing leaves the machine). */
function copyText(text: string): void {
  void navigator.clipboard?.writeText(text);
}

declare global {
  interface HTMLElementTagNameMap {
    'result-table': ResultTable;
  }
}
