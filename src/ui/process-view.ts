import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Column, CountedWarning, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import type { ImagePluginInfo } from '../engine/engine-api.ts';
import { processRows, processSections, sectionOptions, type ProcessRef, type ProcessSection } from './process-sections.ts';
import './result-table.ts';
import { controlStyles } from './shared-styles.ts';

/** One plugin run for a section: its columns and rows, or why it failed. */
export type SectionResult =
  | { readonly columns: readonly Column[]; readonly rows: readonly PluginRow[]; readonly warnings: readonly CountedWarning[] }
  | { readonly error: string };

/** Which rows of a run to hold, given the run's columns. */
export type RowFilter = (row: PluginRow, columns: readonly Column[]) => boolean;

/**
 * Runs a plugin to the end (or until `signal` aborts it) beside the page's own run, for the process view and the
 * registry browser; with `keep`, only the rows it keeps are held (a search through many).
 */
export interface SectionRunner {
  run(plugin: string, options: PluginOptions, signal: AbortSignal, keep?: RowFilter): Promise<SectionResult>;
}

type SectionState = { readonly status: 'running' } | ({ readonly status: 'done' } & SectionResult);

/**
 * Everything the image's plugins know about one process, a section per plugin, each run when it is opened (the
 * first one at once) and kept while the process is shown. A process not on the active list is said to be hidden
 * or exited.
 */
@customElement('process-view')
export class ProcessView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      h2 {
        font-size: 1.05em;
        margin: 0 0 0.6em;
      }
      details {
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
        margin-bottom: 0.4em;
      }
      summary {
        cursor: pointer;
        padding: 0.35em 0.6em;
        font-weight: 600;
      }
      summary .plugin,
      summary .state {
        font-weight: normal;
        color: var(--ms-muted);
        margin-left: 0.6em;
      }
      .body {
        padding: 0 0.6em 0.6em;
      }
      .unlisted {
        color: var(--ms-warn, #8a4b00);
        font-weight: 600;
      }
      .failed {
        color: var(--ms-error, #a00);
      }
    `,
  ];

  @property({ attribute: false }) process: ProcessRef | undefined;
  /** The image's plugins: the sections are those they can fill. */
  @property({ attribute: false }) plugins: readonly ImagePluginInfo[] = [];
  @property({ attribute: false }) runner: SectionRunner | undefined;
  @state() private results: ReadonlyMap<string, SectionState> = new Map();
  private sections: readonly ProcessSection[] = [];
  /** Aborts the runs of the process shown. */
  private runs = new AbortController();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('plugins')) this.sections = processSections(this.plugins);
    if (changed.has('process') || changed.has('plugins')) {
      this.runs.abort();
      this.runs = new AbortController();
      this.results = new Map();
      const first = this.sections[0];
      if (first) void this.fill(first);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.runs.abort();
  }

  override render() {
    const p = this.process;
    if (!p) return nothing;
    return html`<h2>Process ${p.pid}${p.name ? html` — <span class="name">${p.name}</span>` : nothing}</h2>
      ${this.sections.map((s, i) => this.renderSection(s, i === 0))}`;
  }

  private renderSection(section: ProcessSection, first: boolean) {
    const state = this.results.get(section.plugin);
    const rows = state?.status === 'done' && !('error' in state) ? state.rows : undefined;
    const status = !state ? '' : state.status === 'running' ? 'reading…' : rows ? `${rows.length} rows` : 'failed';
    return html`<details ?open=${first} data-plugin=${section.plugin}
      @toggle=${(e: Event) => (e.target as HTMLDetailsElement).open && void this.fill(section)}>
      <summary>${section.title}<span class="plugin">${section.plugin}</span><span class="state">${status}</span></summary>
      <div class="body">${this.renderBody(section, state, rows)}</div>
    </details>`;
  }

  private renderBody(section: ProcessSection, state: SectionState | undefined, rows: readonly PluginRow[] | undefined) {
    if (!state || state.status === 'running') return html`<p>Reading…</p>`;
    if ('error' in state) return html`<p class="failed">${state.error}</p>`;
    if (!rows?.length) {
      return section.plugin.endsWith('.pslist')
        ? html`<p class="unlisted">Not on the active process list: hidden (unlinked from the list) or exited. psscan finds such processes.</p>`
        : html`<p>Nothing for this process.</p>`;
    }
    return html`<result-table .columns=${state.columns} .rows=${rows}></result-table>`;
  }

  private async fill(section: ProcessSection): Promise<void> {
    const { process, runner } = this;
    if (!process || !runner || this.results.has(section.plugin)) return;
    const signal = this.runs.signal;
    this.results = new Map(this.results).set(section.plugin, { status: 'running' });
    const result = await runner.run(section.plugin, sectionOptions(section, process.pid), signal);
    if (signal.aborted) return;
    // Kept as the process's own rows: the table gets the same array at every render.
    const done = 'error' in result ? result : { ...result, rows: processRows(section, result.columns, result.rows, process.pid) };
    this.results = new Map(this.results).set(section.plugin, { status: 'done', ...done });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'process-view': ProcessView;
  }
}
