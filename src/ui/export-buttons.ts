import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import type { ExportFormat } from '../render/export-file.ts';
import { exportOnPage, type Exporter } from './exporter.ts';
import type { ExportMetadata, RunMetadata } from '../render/export-metadata.ts';
import { saveBlob } from './download.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * Saves a result as CSV, Volatility 3 JSON or JSONL: all its rows, or (chosen explicitly, when a filter or a sort is
 * on) the rows shown, in their order; each file ends with the export's metadata (image, hashes, memscope and plugin
 * versions, options, run, rows).
 */
@customElement('export-buttons')
export class ExportButtons extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: inline-flex;
        gap: 0.4em;
      }
    `,
  ];

  @property({ attribute: false }) columns: readonly Column[] = [];
  @property({ attribute: false }) rows: readonly PluginRow[] = [];
  /** The run the rows come from: written into every export (without it nothing can be exported). */
  @property({ attribute: false }) run: RunMetadata | undefined;
  /** File name without extension, e.g. "memory.raw-windows.pslist". */
  @property() baseName = 'memscope';
  @property({ type: Boolean }) disabled = false;
  /** The rows shown, when a filter or a sort narrows or reorders them (else undefined: there is only "all"). */
  @property({ attribute: false }) shown: readonly PluginRow[] | undefined;
  /** What narrows or reorders the shown rows: the filter typed, and the order ("PID descending"). */
  @property({ attribute: false }) narrowing: { readonly filter: string; readonly order: string | null } | undefined;
  /** What writes the files (the page sets one that works in a worker). */
  @property({ attribute: false }) exporter: Exporter = exportOnPage;
  @state() private which: 'all' | 'shown' = 'all';
  /** The format being written, while it is. */
  @state() private writing: ExportFormat | undefined;

  override render() {
    const disabled = this.disabled || !this.run || this.writing !== undefined;
    return html`
      ${
        this.shown
          ? html`<select aria-label="Rows to export" @change=${(e: Event) => (this.which = (e.target as HTMLSelectElement).value as 'all' | 'shown')}>
            <option value="all" ?selected=${this.which === 'all'}>all ${this.rows.length} rows</option>
            <option value="shown" ?selected=${this.which === 'shown'}>the ${this.shown.length} shown, in their order</option>
          </select>`
          : nothing
      }
      <button class="csv" ?disabled=${disabled} @click=${() => this.save('csv')}>Export CSV</button>
      <button class="json" ?disabled=${disabled} @click=${() => this.save('json')}>Export JSON</button>
      <button class="jsonl" ?disabled=${disabled} @click=${() => this.save('jsonl')}>Export JSONL</button>
      ${this.writing ? html`<span class="muted" role="status">Writing ${this.writing.toUpperCase()}…</span>` : nothing}
    `;
  }

  private async save(format: ExportFormat): Promise<void> {
    if (!this.run) return;
    const selection = this.shown && this.which === 'shown' ? 'shown' : 'all';
    const rows = selection === 'shown' ? this.shown! : this.rows;
    const metadata: ExportMetadata = {
      ...this.run,
      rowSelection: selection,
      rowFilter: selection === 'shown' && this.narrowing?.filter.trim() ? this.narrowing.filter.trim() : null,
      rowOrder: selection === 'shown' ? (this.narrowing?.order ?? null) : null,
      rowCount: rows.length,
      totalRows: this.rows.length,
      exportedAt: new Date().toISOString(),
    };
    this.writing = format;
    try {
      saveBlob(`${this.baseName}.${format}`, await this.exporter(format, this.columns, rows, metadata));
    } finally {
      this.writing = undefined;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'export-buttons': ExportButtons;
  }
}
