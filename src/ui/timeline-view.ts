import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PluginRow } from '../plugins/plugin.ts';
import { exportOnPage, type Exporter } from './exporter.ts';
import type { RunMetadata } from '../render/export-metadata.ts';
import './export-buttons.ts';
import './result-table.ts';
import type { ViewChangeEvent } from './result-table.ts';
import { controlStyles } from './shared-styles.ts';
import { orderLabel } from './table-model.ts';
import { feedsTimeline, TIMELINE_COLUMNS, timelineRows, type TimelineSource } from './timeline-rows.ts';

/** What a timeline export says of where its rows came from, apart from the rows: the image, and the runs merged. */
export type TimelineMetadata = (sources: readonly string[]) => RunMetadata;

/**
 * One table of every timestamp of the runs so far (process create/exit, threads, DLL loads, connections…), oldest
 * first, filterable and sortable like any result, exportable with the image's metadata.
 */
@customElement('timeline-view')
export class TimelineView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.6em;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8em;
        align-items: baseline;
      }
      h2 {
        font-size: 1em;
        margin: 0;
      }
      p {
        margin: 0;
      }
    `,
  ];

  /** The runs so far (any with a timestamp column feeds the timeline). */
  @property({ attribute: false }) sources: readonly TimelineSource[] = [];
  /** When the machine booted (the image summary's), to place times counted from boot (the kernel log's). */
  @property() bootTime: string | undefined;
  /** The metadata of an export of the timeline; without it nothing can be exported. */
  @property({ attribute: false }) metadata: TimelineMetadata | undefined;
  @property() baseName = 'memscope';
  @property({ attribute: false }) exporter: Exporter = exportOnPage;
  @state() private shown: ViewChangeEvent['detail'] | undefined;
  private rows: PluginRow[] = [];
  private feeding: string[] = [];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('sources') || changed.has('bootTime')) {
      this.rows = timelineRows(this.sources, this.bootTime);
      this.feeding = [...new Set(this.sources.filter((s) => feedsTimeline(s, this.bootTime)).map((s) => s.plugin))];
    }
  }

  override render() {
    const others = [...new Set(this.sources.map((s) => s.plugin))].filter((p) => !this.feeding.includes(p));
    const narrowed = this.shown?.narrowed ? this.shown : undefined;
    return html`
      <div class="head">
        <h2 tabindex="-1">Timeline</h2>
        <span class="muted">${this.rows.length} events from ${this.feeding.length > 0 ? this.feeding.join(', ') : 'no run yet'}</span>
        <export-buttons .exporter=${this.exporter} .columns=${TIMELINE_COLUMNS} .rows=${this.rows} .shown=${narrowed?.shown}
          .narrowing=${narrowed && { filter: narrowed.query, order: orderLabel(TIMELINE_COLUMNS, narrowed.sort) }} .run=${this.metadata?.(this.feeding)}
          baseName="${this.baseName}-timeline" ?disabled=${this.rows.length === 0}></export-buttons>
      </div>
      ${
        this.feeding.length === 0
          ? html`<p class="muted">Run a plugin that reports times (pslist, psscan, threads, dlllist, netscan…): its events show here.</p>`
          : nothing
      }
      ${others.length > 0 ? html`<p class="muted">No timestamps in: ${others.join(', ')}.</p>` : nothing}
      <result-table .columns=${TIMELINE_COLUMNS} .rows=${this.rows} .version=${this.rows.length}
        @view-change=${(e: ViewChangeEvent) => (this.shown = e.detail)}></result-table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'timeline-view': TimelineView;
  }
}
