import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSummary, KeptSymbols } from '../engine/engine-api.ts';
import { formatSize } from '../plugins/common/format-size.ts';
import { controlStyles, factListStyles } from './shared-styles.ts';
import { symbolDropZone } from './symbol-drop-zone.ts';

/** Asks to forget a kept symbol file (`forget-symbols`) or to save a kept PDB as an ISF (`save-isf`); `detail` is its key. */
export type SymbolKeyEvent = CustomEvent<string>;

/**
 * The open image's symbols in plain words: which table its kernel needs, what is in use (a file, the browser's
 * cache, found in the image, the kernel's BTF), the files this browser keeps (each can be forgotten; a PDB saved as a
 * Volatility 3 ISF), and one control to add files. Fires `symbol-files` (File[]), `forget-symbols` and `save-isf` (key).
 */
@customElement('symbols-panel')
export class SymbolsPanel extends LitElement {
  static override styles = [
    controlStyles,
    factListStyles,
    css`
      :host {
        display: block;
      }
      h2 {
        font-size: 1em;
        margin: 0 0 0.4em;
      }
      dl {
        margin-bottom: 0.5em;
      }
      code {
        font-family: var(--ms-mono, monospace);
      }
      ul {
        list-style: none;
        margin: 0.2em 0 0.5em;
        padding: 0;
        font-size: 0.92em;
      }
      li {
        display: flex;
        gap: 0.5em;
        align-items: baseline;
        justify-content: space-between;
        padding: 0.15em 0;
        border-bottom: 1px solid var(--ms-row-rule);
      }
      li span {
        overflow-wrap: anywhere;
      }
      li button {
        font-size: 0.85em;
      }
      .muted {
        color: var(--ms-muted);
        font-size: 0.92em;
      }
    `,
  ];

  @property({ attribute: false }) summary?: ImageSummary;
  @property({ attribute: false }) kept: readonly KeptSymbols[] = [];
  @property({ type: Boolean }) busy = false;

  override render() {
    const s = this.summary;
    if (!s?.os) return nothing;
    return html`
      <h2>Symbols</h2>
      <dl>
        <dt>This image needs</dt>
        <dd><code class="needed">${s.symbolKey ?? 'nothing known'}</code></dd>
        <dt>In use</dt>
        <dd class="in-use">${this.inUse(s)}</dd>
        ${
          s.missingSymbols?.kind === 'pdb' && s.missingSymbols.discovered && s.symbolKey
            ? html`<dt></dt><dd><button class="save-discovered" data-key=${s.symbolKey} title="Save the structures found in the image as a Volatility 3 ISF file"
              @click=${() => this.fire('save-isf', s.symbolKey!)}>Save what was found as an ISF</button></dd>`
            : nothing
        }
      </dl>
      <div class="muted">Kept in this browser for later sessions:</div>
      ${
        this.kept.length === 0
          ? html`<p class="muted none">none yet — symbol files you add are kept here</p>`
          : html`<ul>
            ${this.kept.map(
              (k) => html`<li>
                <span title=${k.key}><code>${k.fileName}</code> ${formatSize(k.bytes)}${k.key === s.symbolKey ? ' — this image’s' : ''}</span>
                ${k.pdb ? html`<button class="save-isf" data-key=${k.key} title="Save this PDB's table as a Volatility 3 ISF file" @click=${() => this.fire('save-isf', k.key)}>Save as ISF</button>` : nothing}
                <button class="forget" data-key=${k.key} ?disabled=${this.busy} @click=${() => this.fire('forget-symbols', k.key)}>Forget</button>
              </li>`,
            )}
          </ul>`
      }
      ${symbolDropZone(this, 'Add symbol files (.json, .json.xz, .pdb, windows.zip)', this.busy)}
    `;
  }

  /** What the summary says of the table in use, in words a first-time user can follow. */
  private inUse(s: ImageSummary): string {
    const text = s.symbols ?? '';
    if (text.startsWith('missing') || text === '') return 'none yet: the plugins that need a symbol table wait for it';
    if (text.startsWith('unusable')) return `not usable: ${text}`;
    return text;
  }

  private fire(type: 'forget-symbols' | 'save-isf', key: string): void {
    this.dispatchEvent(new CustomEvent(type, { detail: key, bubbles: true, composed: true }) satisfies SymbolKeyEvent);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'symbols-panel': SymbolsPanel;
  }
}
