import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSummary, NoOsFinding } from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import { formatSizeExact } from '../plugins/common/format-size.ts';
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
        font-size: 0.92em;
        overflow-wrap: anywhere;
      }
      ul.warnings {
        color: var(--ms-warning);
      }
      .no-os p {
        margin: 0.6em 0 0;
      }
      .no-os h3 {
        font-size: 0.92em;
        margin: 0.6em 0 0;
      }
    `,
  ];

  @property({ attribute: false }) summary?: ImageSummary;
  /** The file's hashes once computed (on request: `compute-hashes`; `cancel-hashes` stops them). */
  @property({ attribute: false }) hashes?: ImageHashes;
  /** While they are computed: bytes hashed of the total. */
  @property({ attribute: false }) hashing?: { readonly done: number; readonly total: number };

  /** Focus goes to the summary's heading (the page moves it here once an image has opened). */
  override focus(options?: FocusOptions): void {
    // Called as the page first shows it: the heading is there once this element has rendered.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h2')?.focus(options));
  }

  override render() {
    const s = this.summary;
    if (!s) return nothing;
    const os = s.os === null ? (s.noOs?.short ?? 'none found') : (s.osVersion ?? s.os);
    return html`
      <h2 tabindex="-1">Image</h2>
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
        ${row('Booted', s.bootTime && bootTimeText(s.bootTime))} ${row('DTB', s.dtb)} ${row('Kernel base', s.kernelBase)} ${row('Symbols', s.symbols)}
        ${this.hashes ? html`${row('SHA-256', this.hashes.sha256)} ${row('MD5', this.hashes.md5)}` : nothing}
      </dl>
      ${s.noOs ? renderNoOs(s.noOs) : nothing} ${this.hashes ? nothing : this.renderHashControl()}
      ${
        s.warnings.length > 0
          ? html`<ul class="warnings">
            ${s.warnings.map((w) => html`<li>${w}</li>`)}
          </ul>`
          : nothing
      }
    `;
  }

  /**
   * The file's SHA-256 and MD5 for the case notes (reading the whole file once), with progress: on request, or on
   * their own for small images (the page starts them); cancellable.
   */
  private renderHashControl() {
    const h = this.hashing;
    return h
      ? html`<p class="hashing">
          <span role="status">Hashing the file… ${percent(h)} %</span>
          <button class="cancel-hash" @click=${() => this.emit('cancel-hashes')}>Cancel</button>
        </p>`
      : html`<button class="hash" @click=${() => this.emit('compute-hashes')}>Compute SHA-256 and MD5</button>`;
  }

  private emit(type: 'compute-hashes' | 'cancel-hashes'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }
}

/** Why there is no OS to read, in plain words: the verdict, what was still found, what was checked. */
function renderNoOs(noOs: NoOsFinding) {
  return html`<section class="no-os" data-kind=${noOs.kind}>
    <p class="verdict">${noOs.verdict}</p>
    ${
      noOs.found.length > 0
        ? html`<h3>Still found</h3>
          <ul class="found">
            ${noOs.found.map((f) => html`<li>${f}</li>`)}
          </ul>`
        : nothing
    }
    <h3>Checked</h3>
    <ul class="checked">
      ${noOs.checked.map((c) => html`<li>${c}</li>`)}
    </ul>
  </section>`;
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

/** "2026-12-01 09:14:03 UTC": the boot time to the second (the summary keeps its microseconds for the timeline). */
function bootTimeText(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?\+00:00$/, ' UTC');
}
