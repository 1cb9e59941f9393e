import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSummary } from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import { formatSizeExact } from './format-size.ts';
import { controlStyles, factListStyles } from './shared-styles.ts';

/** What memscope found in the opened image. */
@customElement('image-summary')
export class ImageSummaryView extends LitElement {
  static override styles = [
    controlStyles,
    factListStyles,
    css`
      h2 {
        font-size: 1em;
        margin: 0 0 0.5em;
      }
      ul {
        margin: 0.5em 0 0;
        padding-left: 1.2em;
        color: var(--ms-warning);
        font-size: 0.92em;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) summary?: ImageSummary;
  /** The file's hashes once computed (on request: `compute-hashes`). */
  @property({ attribute: false }) hashes?: ImageHashes;
  /** While they are computed: bytes hashed of the total. */
  @property({ attribute: false }) hashing?: { readonly done: number; readonly total: number };

  override render() {
    const s = this.summary;
    if (!s) return nothing;
    const os = s.os === null ? 'not identified (Windows x64 kernels and x86-64 Linux kernels with VMCOREINFO are recognised)' : (s.osVersion ?? s.os);
    return html`
      <h2>Image</h2>
      <dl>
        <dt>File</dt>
        <dd class="file-name">${s.fileName}</dd>
        <dt>Format</dt>
        <dd>${s.formatDescription}</dd>
        <dt>File size</dt>
        <dd>${formatSizeExact(s.fileSize)}</dd>
        <dt>Physical size</dt>
        <dd>${formatSizeExact(s.physicalSize)}</dd>
        <dt>Captured</dt>
        <dd>${formatSizeExact(s.capturedBytes)}</dd>
        <dt>OS</dt>
        <dd class="os">${os}</dd>
        ${row('DTB', s.dtb)} ${row('Kernel base', s.kernelBase)} ${row('Symbols', s.symbols)}
        ${this.hashes ? html`${row('SHA-256', this.hashes.sha256)} ${row('MD5', this.hashes.md5)}` : nothing}
      </dl>
      ${this.hashes ? nothing : this.renderHashControl()}
      ${
        s.warnings.length > 0
          ? html`<ul class="warnings">
            ${s.warnings.map((w) => html`<li>${w}</li>`)}
          </ul>`
          : nothing
      }
    `;
  }

  /** The file's SHA-256 and MD5 for the case notes: computed on request (reading the whole file once), with progress. */
  private renderHashControl() {
    const h = this.hashing;
    return h
      ? html`<p class="hashing" role="status">Hashing the file… ${percent(h)} %</p>`
      : html`<button class="hash" @click=${() => this.dispatchEvent(new CustomEvent('compute-hashes', { bubbles: true, composed: true }))}>
          Compute SHA-256 and MD5
        </button>`;
  }
}

function percent(p: { readonly done: number; readonly total: number }): number {
  return p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total);
}

function row(label: string, value: string | undefined) {
  return value === undefined ? nothing : html`<dt>${label}</dt><dd class="mono">${value}</dd>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'image-summary': ImageSummaryView;
  }
}
