import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { toCsv } from '../render/csv.ts';
import { toVolJson } from '../render/vol-json.ts';
import { saveText } from './download.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * Saves a result as CSV or Volatility 3 JSON: all its rows, or (chosen explicitly, when a filter or a sort is on) the
 * rows shown, in their order.
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
  /** File name without extension, e.g. "memory.raw-windows.pslist". */
  @property() baseName = 'memscope';
  @property({ type: Boolean }) disabled = false;
  /** The rows shown, when a filter or a sort narrows or reorders them (else undefined: there is only "all"). */
  @property({ attribute: false }) shown: readonly PluginRow[] | undefined;
  @state() private which: 'all' | 'shown' = 'all';

  override render() {
    const rows = this.shown && this.which === 'shown' ? this.shown : this.rows;
    return html`
      ${
        this.shown
          ? html`<select aria-label="Rows to export" @change=${(e: Event) => (this.which = (e.target as HTMLSelectElement).value as 'all' | 'shown')}>
            <option value="all" ?selected=${this.which === 'all'}>all ${this.rows.length} rows</option>
            <option value="shown" ?selected=${this.which === 'shown'}>the ${this.shown.length} shown, in their order</option>
          </select>`
          : nothing
      }
      <button class="csv" ?disabled=${this.disabled} @click=${() => saveText(`${this.baseName}.csv`, toCsv(this.columns, rows), 'text/csv')}>
        Export CSV
      </button>
      <button class="json" ?disabled=${this.disabled}
        @click=${() => saveText(`${this.baseName}.json`, toVolJson(this.columns, rows), 'application/json')}>
        Export JSON
      </button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'export-buttons': ExportButtons;
  }
}
