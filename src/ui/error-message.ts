import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { EngineFailure } from '../engine/engine-api.ts';
import type { ErrorCode } from '../errors.ts';
import { controlStyles } from './shared-styles.ts';

const TITLES: Record<ErrorCode, string> = {
  INTERNAL: 'memscope hit an internal error',
  UNKNOWN_FORMAT: 'Not a memory image memscope can read',
  TRUNCATED: 'The file is truncated',
  CORRUPT: 'The file is damaged',
  READ_FAILED: 'The file could not be read',
  SYMBOLS_MISSING: 'Symbols are needed',
  SYMBOLS_INVALID: 'The symbol file cannot be used',
  OS_NOT_FOUND: 'No operating system found in the image',
  UNSUPPORTED: 'Not supported yet',
  CANCELLED: 'Cancelled',
  BAD_REQUEST: 'The request was not valid',
  REQUIREMENTS_UNMET: 'The plugin cannot run on this image',
  BAD_PLUGIN: 'The plugin could not be loaded',
  PLUGIN_FAILED: 'A third-party plugin failed',
};

/** A typed engine failure as a titled message. Fires `dismiss`. */
@customElement('error-message')
export class ErrorMessage extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .box {
        border: 1px solid var(--ms-danger);
        border-left-width: 4px;
        background: var(--ms-danger-bg);
        padding: 0.5em 0.8em;
        display: flex;
        gap: 1em;
        align-items: flex-start;
      }
      .text {
        flex: 1;
      }
      strong {
        display: block;
      }
      p {
        margin: 0.2em 0 0;
        overflow-wrap: anywhere;
      }
      details {
        margin-top: 0.4em;
      }
      pre {
        margin: 0.3em 0 0;
        max-height: 20em;
        overflow: auto;
        font-size: 0.85em;
      }
    `,
  ];

  @property({ attribute: false }) failure?: EngineFailure;

  override render() {
    if (!this.failure) return nothing;
    return html`<div class="box" role="alert">
      <div class="text">
        <strong>${TITLES[this.failure.code] ?? 'Error'}</strong>
        <p class="message">${this.failure.message}</p>
        ${
          this.failure.stack
            ? html`<details class="stack">
              <summary>Technical details</summary>
              <pre>${this.failure.stack}</pre>
            </details>`
            : nothing
        }
      </div>
      <button @click=${() => this.dispatchEvent(new CustomEvent('dismiss', { bubbles: true, composed: true }))}>Dismiss</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'error-message': ErrorMessage;
  }
}
