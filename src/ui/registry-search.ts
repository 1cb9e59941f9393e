import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SectionRunner } from './process-view.ts';
import { PRINTKEY, hiveLabel, keyHit, keyNameMatches, printkeyOptions, type Hive, type KeyHit } from './registry-model.ts';
import { controlStyles } from './shared-styles.ts';

/** A search hit was picked: show that key. */
export type KeyOpenEvent = CustomEvent<{ readonly hive: Hive; readonly path: readonly string[] }>;

/** Hits listed at most (a search for "a" finds most of a hive). */
const MAX_HITS = 500;

type SearchState =
  | { readonly status: 'running'; readonly text: string }
  | { readonly status: 'done'; readonly text: string; readonly hits: readonly KeyHit[]; readonly more: number }
  | { readonly status: 'failed'; readonly text: string; readonly error: string };

/**
 * Finds keys by name in every hive (printkey --recurse, hive by hive, only the matching keys kept) and lists them;
 * a hit picked raises `key-open`. Cancellable.
 */
@customElement('registry-search')
export class RegistrySearch extends LitElement {
  static override styles = [
    controlStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4em;
        align-items: center;
      }
      input {
        flex: 1 1 14em;
        min-width: 0;
      }
      ul {
        list-style: none;
        margin: 0.4em 0 0;
        padding: 0;
        max-height: 14em;
        overflow: auto;
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
      }
      li button {
        all: unset;
        display: block;
        box-sizing: border-box;
        width: 100%;
        padding: 0.15em 0.5em;
        cursor: pointer;
        font-family: var(--ms-mono, monospace);
        font-size: 12.5px;
        overflow-wrap: anywhere;
      }
      li button:hover,
      li button:focus-visible {
        background: var(--ms-hover);
        outline: 2px solid var(--ms-accent);
        outline-offset: -2px;
      }
      .hive {
        color: var(--ms-muted);
      }
      p {
        margin: 0.3em 0 0;
      }
    `,
  ];

  @property({ attribute: false }) runner: SectionRunner | undefined;
  @property({ attribute: false }) hives: readonly Hive[] = [];
  @state() private search: SearchState | undefined;
  private abort: AbortController | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  override render() {
    const running = this.search?.status === 'running';
    return html`
      <form role="search" @submit=${(e: Event) => this.submit(e)}>
        <input type="search" name="key-name" placeholder="Find keys by name (every hive)" aria-label="Find registry keys by name" required />
        <button type="submit" ?disabled=${running}>Find</button>
        ${running ? html`<button type="button" class="cancel" @click=${() => this.abort?.abort()}>Cancel</button>` : nothing}
      </form>
      ${this.renderState()}
    `;
  }

  private renderState() {
    const s = this.search;
    if (!s) return nothing;
    if (s.status === 'running') return html`<p class="muted" role="status">Reading every key of every hive for “${s.text}”…</p>`;
    if (s.status === 'failed') return html`<p class="failed" role="status">${s.error}</p>`;
    return html`<p class="muted hit-count" role="status">
        ${s.hits.length + s.more} key${s.hits.length + s.more === 1 ? '' : 's'} named like “${s.text}”${s.more > 0 ? ` (the first ${MAX_HITS} listed)` : ''}
      </p>
      ${
        s.hits.length > 0
          ? html`<ul aria-label="Keys found">
            ${s.hits.map(
              (hit) =>
                html`<li><button class="hit" @click=${() => this.open(hit)}><span class="hive">${hiveLabel(hit.hive)}</span>${hit.path.map((name) => html`\\<wbr />${name}`)}</button></li>`,
            )}
          </ul>`
          : nothing
      }`;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const text = (new FormData(e.target as HTMLFormElement).get('key-name') as string | null)?.trim() ?? '';
    if (!text || !this.runner || this.search?.status === 'running') return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.search = { status: 'running', text };
    const hits: KeyHit[] = [];
    let total = 0;
    // Hive by hive: a hive that cannot be read does not stop the others (its run's error is shown if none is found).
    let error: string | undefined;
    for (const hive of this.hives) {
      if (signal.aborted) break;
      const result = await this.runner.run(PRINTKEY, printkeyOptions(hive, [], true), signal, keyNameMatches(text));
      if ('error' in result) {
        error ??= result.error;
        continue;
      }
      total += result.rows.length;
      for (const row of result.rows) {
        const hit = hits.length < MAX_HITS ? keyHit(result.columns, row, this.hives) : null;
        if (hit) hits.push(hit);
      }
    }
    if (signal.aborted) this.search = { status: 'failed', text, error: `Search for “${text}” cancelled.` };
    else if (total === 0 && error) this.search = { status: 'failed', text, error };
    else this.search = { status: 'done', text, hits, more: total - hits.length };
  }

  private open(hit: KeyHit): void {
    this.dispatchEvent(
      new CustomEvent('key-open', { detail: { hive: hit.hive, path: hit.path }, bubbles: true, composed: true }) satisfies KeyOpenEvent,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-search': RegistrySearch;
  }
}
