import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSummary } from '../engine/engine-api.ts';
import { formatSizeExact } from './format-size.ts';
import { controlStyles } from './shared-styles.ts';

/** What memscope found in the opened image. */
@customElement('image-summary')
export class ImageSummaryView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      h2 {
        font-size: 1em;
        margin: 0 0 0.5em;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.15em 0.8em;
        margin: 0;
        font-size: 0.92em;
      }
      dt {
        color: var(--ms-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
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
      </dl>
      ${
        s.warnings.length > 0
          ? html`<ul class="warnings">
            ${s.warnings.map((w) => html`<li>${w}</li>`)}
          </ul>`
          : nothing
      }
    `;
  }
}

function row(label: string, value: string | undefined) {
  return value === undefined ? nothing : html`<dt>${label}</dt><dd class="mono">${value}</dd>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'image-summary': ImageSummaryView;
  }
}
