import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { IdbEnrichmentSettings, UmbrellaSettings } from '../browser/idb-enrichment-settings.ts';
import { apiOrigin, enrichUrl } from '../enrich/api-url.ts';
import { UMBRELLA_DEFAULT_URL } from '../enrich/umbrella.ts';
import { isMemscopeError } from '../errors.ts';
import { controlStyles } from './shared-styles.ts';

/** The settings saved (`detail`), or removed (undefined). */
export type UmbrellaChangeEvent = CustomEvent<UmbrellaSettings | undefined>;

/**
 * The Umbrella Investigate settings: the API key (write-only: never shown again) and the API's address, saved in
 * this browser's IndexedDB; removing them turns lookups off. Raises `umbrella-change`.
 */
@customElement('umbrella-settings')
export class UmbrellaSettingsForm extends LitElement {
  static override styles = [
    controlStyles,
    css`
      form {
        display: grid;
        grid-template-columns: max-content minmax(0, 28em);
        gap: 0.4em 0.8em;
        align-items: center;
        margin-top: 0.5em;
      }
      .actions {
        grid-column: 2;
        display: flex;
        gap: 0.6em;
      }
      p {
        margin: 0.4em 0 0;
      }
      .problem {
        color: var(--ms-danger);
      }
    `,
  ];

  @property({ attribute: false }) store?: IdbEnrichmentSettings;
  /** What is saved now (undefined: nothing, lookups are off). */
  @property({ attribute: false }) saved: UmbrellaSettings | undefined;
  @state() private problem: string | undefined;

  override render() {
    const saved = this.saved;
    return html`<details>
      <summary class="button">Umbrella settings</summary>
      <p class="state">
        ${
          saved
            ? `An API key is saved in this browser; lookups go to ${apiOrigin(saved.baseUrl)}, and only when you confirm one.`
            : 'No API key saved: Umbrella lookups are off. The key is kept in this browser only (not in links, exports or logs).'
        }
      </p>
      <form @submit=${this.save}>
        <label for="umbrella-key">API key</label>
        <input id="umbrella-key" name="key" type="password" autocomplete="off" spellcheck="false" ?required=${!saved}
          placeholder=${saved ? 'saved (type a new one to replace it)' : 'Investigate API key'} />
        <label for="umbrella-url">API address</label>
        <input id="umbrella-url" name="url" type="url" spellcheck="false" required .value=${saved?.baseUrl ?? UMBRELLA_DEFAULT_URL} />
        <div class="actions">
          <button type="submit" class="save">Save in this browser</button>
          ${saved ? html`<button type="button" class="remove" @click=${this.forget}>Remove the key</button>` : nothing}
        </div>
      </form>
      ${this.problem ? html`<p class="problem" role="alert">${this.problem}</p>` : nothing}
    </details>`;
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    // Left empty with a key saved: the address alone changes.
    const key = String(data.get('key') ?? '').trim() || this.saved?.key;
    if (!key) {
      this.problem = 'Type the API key.';
      return;
    }
    let baseUrl: string;
    try {
      baseUrl = enrichUrl(String(data.get('url') ?? '').trim(), 'API address');
    } catch (error) {
      this.problem = isMemscopeError(error) ? error.message : String(error);
      return;
    }
    await this.persist(() => this.store?.setUmbrella({ key, baseUrl }), { key, baseUrl });
    form.querySelector<HTMLInputElement>('input[name=key]')!.value = '';
  }

  private async forget(): Promise<void> {
    await this.persist(() => this.store?.removeUmbrella(), undefined);
  }

  private async persist(write: () => Promise<void> | undefined, settings: UmbrellaSettings | undefined): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.problem = `The settings could not be kept in this browser (IndexedDB: ${error instanceof Error ? error.message : String(error)}).`;
      return;
    }
    this.problem = undefined;
    this.dispatchEvent(new CustomEvent('umbrella-change', { detail: settings, bubbles: true, composed: true }) satisfies UmbrellaChangeEvent);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'umbrella-settings': UmbrellaSettingsForm;
  }
}
