import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { JobProgress } from '../engine/engine-api.ts';
import { formatSize } from '../plugins/common/format-size.ts';
import { controlStyles } from './shared-styles.ts';

/** A running job: stage, bytes done of total, a notice (e.g. it does not respond), and Cancel (fires `cancel-job`). */
@customElement('job-progress')
export class JobProgressView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        gap: 0.8em;
        align-items: center;
      }
      progress {
        flex: 1 1 auto;
        min-width: 8em;
        height: 0.9em;
      }
      .stage {
        white-space: nowrap;
      }
      .notice {
        color: var(--ms-warning);
      }
    `,
  ];

  @property() label = '';
  @property({ attribute: false }) progress: JobProgress = { done: 0, total: 0, stage: '' };
  @property() notice = '';

  override render() {
    const { done, total, stage } = this.progress;
    const known = total > 0;
    const percent = known ? Math.min(100, Math.floor((done / total) * 100)) : 0;
    return html`
      <span class="stage">${this.label}${stage ? ` — ${stage}` : ''}</span>
      ${
        known
          ? html`<progress max=${total} .value=${Math.min(done, total)}></progress>
            <span class="amount">${formatSize(done)} of ${formatSize(total)} (${percent} %)</span>`
          : html`<progress></progress>`
      }
      ${this.notice ? html`<span class="notice" role="status">${this.notice}</span>` : ''}
      <button @click=${() => this.dispatchEvent(new CustomEvent('cancel-job', { bubbles: true, composed: true }))}>Cancel</button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'job-progress': JobProgressView;
  }
}
