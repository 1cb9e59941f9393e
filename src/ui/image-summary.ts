import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ImageSummary, NoOsFinding } from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import { formatSize, formatSizeExact } from '../plugins/common/format-size.ts';
import { isRawAlready, type RawExportState } from './raw-export.ts';
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
      button.export-raw {
        margin-top: 0.4em;
      }
      .export-failed {
        color: var(--ms-danger);
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
  /** Offer the export as a raw image (`export-raw`; `cancel-export` stops it), and how the last one went. */
  @property({ type: Boolean }) exportable = false;
  @property({ attribute: false }) rawExport?: RawExportState;

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
      ${this.exportable ? this.renderRawExport(s) : nothing}
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

  /**
   * Export as a raw image (file offset = physical address, holes as zeros) for other tools, streamed from the engine
   * worker with progress; not offered for a raw file as it is, which other tools read already.
   */
  private renderRawExport(s: ImageSummary) {
    if (isRawAlready(s)) return html`<p class="raw-already muted">This file is a raw image already: other tools read it as it is.</p>`;
    const x = this.rawExport?.summary === s ? this.rawExport : undefined;
    if (x?.phase === 'writing') {
      return html`<p class="exporting">
        <span role="status">Writing ${x.fileName}… ${percent(x)} % of ${formatSize(x.total)}${rate(x)}</span>
        <button class="cancel-export" @click=${() => this.emit('cancel-export')}>Cancel</button>
      </p>`;
    }
    return html`<button class="export-raw" @click=${() => this.emit('export-raw')}>Export as raw image…</button>
      ${x ? html`<p class="export-result ${x.phase === 'failed' ? 'export-failed' : ''}" role="status">${exportOutcome(x)}</p>` : nothing}`;
  }

  private emit(type: 'compute-hashes' | 'cancel-hashes' | 'export-raw' | 'cancel-export'): void {
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

/** How an export ended, in one or two sentences. */
function exportOutcome(x: RawExportState): string {
  if (x.phase === 'cancelled') return `Export cancelled: nothing was written to ${x.fileName}.`;
  if (x.phase === 'failed') return `Export failed: ${x.error ?? 'unknown error'}`;
  const holes = x.total - x.captured;
  const saved = x.viaDownload ? " Handed to the browser's downloads; a copy stays in this browser's storage until the next export." : '';
  return (
    `Exported ${x.fileName}: ${formatSizeExact(x.total)}${holes > 0 ? ` (${formatSize(x.captured)} captured, ${formatSize(holes)} of holes as zeros)` : ''}` +
    ` in ${(x.elapsedMs / 1000).toFixed(1)} s${rate(x)}.${saved}`
  );
}

/** ", 312.5 MB/s": captured bytes written per second (the holes cost nothing to write). */
function rate(x: RawExportState): string {
  return x.elapsedMs < 1 ? '' : `, ${(x.captured / 1e6 / (x.elapsedMs / 1000)).toFixed(1)} MB/s`;
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
