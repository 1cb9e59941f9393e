import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CountedWarning } from '../plugins/plugin.ts';
import type { HexTarget } from './hex-view.ts';
import { controlStyles } from './shared-styles.ts';

/** A warning's address was clicked: show that memory (kernel space, where warnings' addresses point). */
export type OpenMemoryEvent = CustomEvent<HexTarget>;

/** A run's warnings beside its rows: code, message, how often, and the address as a link into the hex view. */
@customElement('run-warnings')
export class RunWarningList extends LitElement {
  static override styles = [
    controlStyles,
    css`
      ul {
        margin: 0;
        padding-left: 1.2em;
        max-height: 12em;
        overflow: auto;
        color: var(--ms-warning);
        font-size: 0.92em;
      }
      .code {
        font-family: var(--ms-mono, monospace);
        font-size: 0.85em;
        padding: 0 0.35em;
        margin-right: 0.4em;
        border: 1px solid currentColor;
        border-radius: 3px;
      }
      button.address {
        all: unset;
        font-family: var(--ms-mono, monospace);
        color: var(--ms-accent);
        cursor: pointer;
      }
      button.address:hover,
      button.address:focus-visible {
        text-decoration: underline;
      }
      .count {
        color: var(--ms-muted);
      }
    `,
  ];

  @property({ attribute: false }) warnings: readonly CountedWarning[] = [];

  override render() {
    // Messages come from memory (names, paths): text interpolation only, never markup.
    return html`<ul>
      ${this.warnings.map(
        (w) => html`<li>
          <span class="code">${w.code}</span><span class="message">${w.message}</span>
          ${
            w.address
              ? html`at <button class="address" title="Show this kernel memory" @click=${() => this.open(w.address!)}>${w.address}</button>`
              : nothing
          }
          ${w.count > 1 ? html`<span class="count">(×${w.count})</span>` : nothing}
        </li>`,
      )}
    </ul>`;
  }

  private open(address: string): void {
    const detail: HexTarget = { space: 'kernel', address };
    this.dispatchEvent(new CustomEvent('open-memory', { detail, bubbles: true, composed: true }) satisfies OpenMemoryEvent);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-warnings': RunWarningList;
  }
}
