import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { IdbEnrichmentSettings, type UmbrellaSettings } from '../browser/idb-enrichment-settings.ts';
import { apiOrigin } from '../enrich/api-url.ts';
import { parseDomainList } from '../enrich/domain-list.ts';
import { enrichRows } from '../enrich/enrich-rows.ts';
import { ListProvider } from '../enrich/list-provider.ts';
import { isEnrichError, type DomainProvider, type DomainVerdict } from '../enrich/provider.ts';
import { isMemscopeError } from '../errors.ts';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { controlStyles } from './shared-styles.ts';
import { FramedUmbrella } from './umbrella-frame-client.ts';
import './umbrella-settings.ts';
import type { UmbrellaChangeEvent } from './umbrella-settings.ts';
import { verdictSummary, type VerdictSummary } from './verdict-summary.ts';

/** A run's rows with the enrichment columns appended (Verdict, Categories, Matched, Enrichment source). */
export interface EnrichedRows {
  readonly columns: readonly Column[];
  readonly rows: readonly PluginRow[];
}

/** The run's rows enriched, or undefined when the enrichment is cleared. */
export type EnrichmentChangeEvent = CustomEvent<EnrichedRows | undefined>;

/** A filter for the run's table (`Verdict:malicious`): show only the rows it keeps. */
export type RowsFilterEvent = CustomEvent<string>;

/** Domain lists beyond this are not read into the page. */
const MAX_LIST_BYTES = 256 * 1024 * 1024;

/** A provider that answers nothing and notes what it was asked: the names a lookup of the same rows would send. */
class NamesAsked implements DomainProvider {
  readonly name = 'names';
  names: readonly string[] = [];
  lookup(names: readonly string[]): Promise<ReadonlyMap<string, DomainVerdict>> {
    this.names = names;
    return Promise.resolve(new Map());
  }
}

/**
 * The enrichment actions on a finished run of a plugin with a column of domain names (its `domainColumn`): match
 * the names against a local list (nothing leaves the machine), or look them up with Umbrella Investigate — only
 * after a confirmation naming the service and how many names go to it. The page's engine code does the matching
 * (src/enrich); the verdicts come back as `enrichment-change` (added columns), and malicious names are listed here.
 */
@customElement('domain-enrichment')
export class DomainEnrichment extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6em;
        align-items: center;
      }
      .file {
        position: relative;
      }
      .file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        width: 100%;
        cursor: pointer;
      }
      .file:focus-within {
        outline: 2px solid var(--ms-accent);
      }
      .confirm,
      .problem,
      .summary {
        margin: 0.5em 0 0;
        padding: 0.4em 0.6em;
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
      }
      .problem {
        border-color: var(--ms-danger);
        background: var(--ms-danger-bg);
      }
      .summary ul {
        margin: 0.3em 0 0;
        padding-left: 1.2em;
      }
      .flag {
        font-weight: 700;
        color: var(--ms-danger);
      }
      .chip {
        display: inline-block;
        margin-left: 0.4em;
        padding: 0 0.5em;
        border: 1px solid var(--ms-border-strong);
        border-radius: 1em;
        font-size: 0.85em;
      }
      umbrella-settings {
        margin-top: 0.5em;
      }
    `,
  ];

  @property({ attribute: false }) columns: readonly Column[] = [];
  @property({ attribute: false }) rows: readonly PluginRow[] = [];
  /** The plugin's domainColumn: the column whose names are matched or looked up. */
  @property({ attribute: false }) domainColumn = '';
  @property({ attribute: false }) settings = new IdbEnrichmentSettings();
  /** The lookup frame's address (beside the page). */
  @property({ attribute: false }) frameUrl = new URL('umbrella-frame.html', document.baseURI).href;
  /** The saved Umbrella settings (null until read). */
  @state() private umbrella: UmbrellaSettings | undefined | null = null;
  /** The names a lookup would send, while its confirmation is shown. */
  @state() private confirming: readonly string[] | undefined;
  @state() private busy: string | undefined;
  @state() private problem: string | undefined;
  @state() private summary: VerdictSummary | undefined;
  /** The filter that keeps the malicious rows (by the Verdict column's name in the enriched columns). */
  private maliciousFilter: string | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('settings')) {
      this.umbrella = null;
      void this.settings.umbrella().then(
        (saved) => (this.umbrella = saved),
        () => (this.umbrella = undefined),
      );
    }
  }

  override render() {
    const saved = this.umbrella;
    return html`<section aria-label="Enrich the domain names">
      <div class="actions">
        <span class="muted">Domain names (${this.domainColumn}):</span>
        <span class="file button"
          >Match against a list…<input type="file" accept=".txt,.csv,.tsv,.list,text/plain,text/csv" aria-label="Match against a list… (a local text or CSV file of domains)"
            ?disabled=${this.busy !== undefined} @change=${this.matchList}
        /></span>
        <button class="lookup" ?disabled=${!saved || this.busy !== undefined} @click=${this.askLookup}
          title=${saved ? `Sends the names to ${apiOrigin(saved.baseUrl)} after you confirm` : 'Save an API key in the Umbrella settings first'}>
          Look up with Umbrella…</button>
        ${this.summary ? html`<button class="clear" @click=${this.clear}>Remove the enrichment</button>` : nothing}
        ${this.busy ? html`<span role="status">${this.busy}</span>` : nothing}
      </div>
      ${this.confirming && saved ? this.renderConfirm(this.confirming, saved) : nothing}
      ${this.problem ? html`<p class="problem" role="alert">${this.problem}</p>` : nothing}
      ${this.summary ? this.renderSummary(this.summary) : nothing}
      <umbrella-settings .store=${this.settings} .saved=${saved ?? undefined}
        @umbrella-change=${(e: UmbrellaChangeEvent) => (this.umbrella = e.detail)}></umbrella-settings>
    </section>`;
  }

  private renderConfirm(names: readonly string[], saved: UmbrellaSettings) {
    const count = `${names.length} domain name${names.length === 1 ? '' : 's'}`;
    return html`<div class="confirm" role="alertdialog" aria-label="Confirm the Umbrella lookup">
      <p>Send ${count} from this result to <strong class="mono">${apiOrigin(saved.baseUrl)}</strong>, with the API key saved in this browser?
        Nothing else of the image is sent.</p>
      <details class="names"><summary>The names</summary><p class="mono">${names.join(' ')}</p></details>
      <button class="primary send" @click=${() => this.lookup(names.length)}>Send ${count}</button>
      <button class="cancel" @click=${() => (this.confirming = undefined)}>Cancel</button>
    </div>`;
  }

  private renderSummary(summary: VerdictSummary) {
    const { source, rows, matched, malicious } = summary;
    return html`<div class="summary" role="status">
      <p>${source}: ${matched} of ${rows} rows have a verdict; ${malicious.rows} name a malicious domain${malicious.rows > 0 ? ' (Verdict: malicious)' : ''}.
        ${
          malicious.rows > 0 && this.maliciousFilter
            ? html`<button class="only-malicious" @click=${() => this.filterRows(this.maliciousFilter!)}>Show only these rows</button>`
            : nothing
        }</p>
      ${
        malicious.names.length > 0
          ? html`<ul class="malicious">
            ${malicious.names.map(
              (m) =>
                html`<li><span class="flag">Malicious</span> <span class="mono">${m.name}</span>${
                  m.matched !== m.name ? html` <span class="muted">(listed: <span class="mono">${m.matched}</span>)</span>` : nothing
                }${m.categories.map((c) => html`<span class="chip">${c}</span>`)}</li>`,
            )}
          </ul>`
          : nothing
      }
    </div>`;
  }

  private async matchList(e: Event): Promise<void> {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_LIST_BYTES) {
      this.problem = `${file.name}: ${file.size} bytes — more than memscope reads as a domain list (${MAX_LIST_BYTES / 1024 / 1024} MiB).`;
      return;
    }
    await this.enrich(
      `Matching against ${file.name}…`,
      async () => new ListProvider(`list:${file.name}`, parseDomainList(await file.text(), file.name)),
    );
  }

  /** Shows the confirmation, naming how many names the lookup would send. */
  private async askLookup(): Promise<void> {
    const asked = new NamesAsked();
    await enrichRows(asked, this.columns, this.rows, this.domainColumn);
    this.problem = undefined;
    if (asked.names.length === 0) this.problem = 'No row of this result has a domain name to look up.';
    else this.confirming = asked.names;
  }

  private async lookup(count: number): Promise<void> {
    this.confirming = undefined;
    await this.enrich(`Looking up ${count} names with Umbrella…`, () => Promise.resolve(new FramedUmbrella(this.frameUrl)));
  }

  private async enrich(doing: string, open: () => Promise<DomainProvider>): Promise<void> {
    this.busy = doing;
    this.problem = undefined;
    try {
      const provider = await open();
      const { columns, values } = await enrichRows(provider, this.columns, this.rows, this.domainColumn);
      const enriched = {
        columns: [...this.columns, ...columns],
        rows: this.rows.map((row, i) => ({ depth: row.depth, values: [...row.values, ...values[i]!] })),
      };
      const nameAt = this.columns.findIndex((c) => c.name === this.domainColumn);
      const verdict = columns[0]!.name;
      this.maliciousFilter = /\s/.test(verdict) ? undefined : `${verdict}:malicious`;
      this.summary = verdictSummary(provider.name, nameAt, this.columns.length, enriched.rows);
      this.changeEnrichment(enriched);
    } catch (error) {
      this.problem = problemText(error);
    } finally {
      this.busy = undefined;
    }
  }

  private clear(): void {
    this.summary = undefined;
    this.changeEnrichment(undefined);
  }

  private filterRows(query: string): void {
    this.dispatchEvent(new CustomEvent('rows-filter', { detail: query, bubbles: true, composed: true }) satisfies RowsFilterEvent);
  }

  private changeEnrichment(detail: EnrichedRows | undefined): void {
    this.dispatchEvent(new CustomEvent('enrichment-change', { detail, bubbles: true, composed: true }) satisfies EnrichmentChangeEvent);
  }
}

/** A failure in plain words: the provider's (which never holds the key), a list that cannot be read (its name said), else the error. */
function problemText(error: unknown): string {
  if (isEnrichError(error)) {
    const hint =
      error.kind === 'offline'
        ? ' From a web page a service is reachable only if it allows requests from pages (CORS); if it does not, use memscope on the command line (--enrich umbrella) or an API address that does.'
        : error.kind === 'key-rejected'
          ? ' Check the key in the Umbrella settings.'
          : '';
    return `Enrichment failed: ${error.message}.${hint}`;
  }
  if (isMemscopeError(error)) return error.message;
  return `Enrichment failed: ${error instanceof Error ? error.message : String(error)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'domain-enrichment': DomainEnrichment;
  }
}
