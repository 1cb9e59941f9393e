import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Column } from '../plugins/plugin.ts';
import { controlStyles } from './shared-styles.ts';

/** The set of hidden column indexes after a change. */
export type HiddenChangeEvent = CustomEvent<ReadonlySet<number>>;

/** A drop-down list of a table's columns with a check box each: which ones the table shows (at least one). */
@customElement('column-chooser')
export class ColumnChooser extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: inline-block;
        position: relative;
      }
      summary {
        list-style: none;
        white-space: nowrap;
      }
      summary::-webkit-details-marker {
        display: none;
      }
      summary:focus-visible {
        outline: 2px solid var(--ms-accent);
      }
      .menu {
        position: absolute;
        right: 0;
        z-index: 2;
        margin-top: 0.2em;
        padding: 0.4em 0.6em;
        border: 1px solid var(--ms-border-strong);
        background: var(--ms-surface);
        box-shadow: 0 2px 8px rgb(0 0 0 / 15%);
        max-height: 50vh;
        overflow: auto;
        min-width: 14em;
      }
      label {
        display: block;
        white-space: nowrap;
        line-height: 1.7;
      }
      .menu button {
        margin-top: 0.3em;
      }
    `,
  ];

  @property({ attribute: false }) columns: readonly Column[] = [];
  @property({ attribute: false }) hiddenColumns: ReadonlySet<number> = new Set();

  override render() {
    const shown = this.columns.length - this.hiddenColumns.size;
    return html`<details>
      <summary class="button" aria-label="Choose columns">Columns (${shown} of ${this.columns.length})</summary>
      <div class="menu">
        ${this.columns.map((c, i) => {
          const checked = !this.hiddenColumns.has(i);
          // The last shown column stays: a table with no column shows nothing to bring the others back from.
          return html`<label><input type="checkbox" .checked=${checked} ?disabled=${checked && shown === 1}
            @change=${(e: Event) => this.toggle(i, (e.target as HTMLInputElement).checked)} /> ${c.name}</label>`;
        })}
        <button ?disabled=${this.hiddenColumns.size === 0} @click=${() => this.emit(new Set())}>Show all</button>
      </div>
    </details>`;
  }

  private toggle(index: number, show: boolean): void {
    const next = new Set(this.hiddenColumns);
    if (show) next.delete(index);
    else next.add(index);
    this.emit(next);
  }

  private emit(hidden: ReadonlySet<number>): void {
    this.dispatchEvent(new CustomEvent('hidden-change', { detail: hidden }) satisfies HiddenChangeEvent);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'column-chooser': ColumnChooser;
  }
}
