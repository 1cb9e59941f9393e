import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { toCsv } from '../render/csv.ts';
import { toVolJson } from '../render/vol-json.ts';
import { saveText } from './download.ts';
import { controlStyles } from './shared-styles.ts';

/** Saves all rows of a result as CSV or Volatility 3 JSON. */
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

  override render() {
    return html`
      <button class="csv" ?disabled=${this.disabled} @click=${() => saveText(`${this.baseName}.csv`, toCsv(this.columns, this.rows), 'text/csv')}>
        Export CSV
      </button>
      <button class="json" ?disabled=${this.disabled}
        @click=${() => saveText(`${this.baseName}.json`, toVolJson(this.columns, this.rows), 'application/json')}>
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
