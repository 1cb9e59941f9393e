import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { EngineApi } from '../engine/engine-api.ts';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { addressTarget } from './address-target.ts';
import './drop-zone.ts';
import type { FilesChosenEvent } from './drop-zone.ts';
import './error-message.ts';
import './export-buttons.ts';
import './hex-view.ts';
import './symbols-panel.ts';
import type { SymbolKeyEvent } from './symbols-panel.ts';
import type { HexTarget } from './hex-view.ts';
import './image-summary.ts';
import './job-progress.ts';
import './plugin-picker.ts';
import type { PluginFilesEvent, RemovePluginEvent, RunPluginEvent } from './plugin-picker.ts';
import './process-tree.ts';
import './result-table.ts';
import type { CellActivateEvent, ViewChangeEvent } from './result-table.ts';
import './run-warnings.ts';
import type { OpenMemoryEvent } from './run-warnings.ts';
import { SessionController, type ResultSet, type RunningJob } from './session-controller.ts';
import { saveText } from './download.ts';
import { controlStyles } from './shared-styles.ts';
import './symbol-request.ts';
import type { ThirdPartyPlugins } from './third-party-plugins.ts';

/** A dropped or picked file that is a plugin module rather than an image. */
const isPluginModule = (file: File) => /\.m?js$/i.test(file.name);
/** Symbol files by name: ISF (.json, .json.xz, .json.gz), Microsoft PDBs, symbol packs (.zip, e.g. Volatility's windows.zip). */
const isSymbolFile = (file: File) => /\.(json|json\.xz|json\.gz|pdb|zip)$/i.test(file.name);

/** The page: open an image, see what it is, run plugins, read and export their results. */
@customElement('memscope-app')
export class MemscopeApp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: baseline;
        gap: 1em;
        padding: 0.5em 1em;
        border-bottom: 1px solid var(--ms-border);
        background: var(--ms-surface);
      }
      h1 {
        font-size: 1.15em;
        margin: 0;
      }
      main {
        padding: 0.8em 1em;
        display: grid;
        gap: 0.8em;
      }
      main.opened {
        grid-template-columns: minmax(260px, 340px) minmax(0, 1fr);
        align-items: start;
      }
      .start {
        display: grid;
        gap: 0.6em;
        justify-items: center;
        max-width: 44em;
        margin: 6vh auto 0;
        width: 100%;
      }
      .start drop-zone {
        width: 100%;
      }
      .side,
      .results,
      .result-pane {
        display: grid;
        gap: 0.8em;
        min-width: 0;
      }
      .full {
        grid-column: 1 / -1;
      }
      .result-head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8em;
        align-items: baseline;
      }
      .result-head h2 {
        font-size: 1em;
        margin: 0;
        font-family: var(--ms-mono);
      }
      .status {
        display: flex;
        gap: 0.8em;
        align-items: center;
      }
      [hidden] {
        display: none !important;
      }
      .tabs {
        display: flex;
        gap: 0.4em;
      }
      .tabs button[aria-selected='true'] {
        background: var(--ms-selected);
        border-color: var(--ms-accent);
      }
      .warning-count {
        color: var(--ms-warning);
      }
      .notice {
        margin: 0;
      }
    `,
  ];

  /** The engine (a comlink proxy of the engine worker, or a stand-in in tests). */
  @property({ attribute: false }) engine?: EngineApi;
  /** Third-party plugins (the plugin sandbox); without them none are offered. */
  @property({ attribute: false }) thirdParty?: ThirdPartyPlugins;
  private session?: SessionController;
  @state() private tab: 'results' | 'memory' = 'results';
  @state() private hexTarget: HexTarget | undefined;
  /** What the result table shows of a result (its filter and order), for exporting exactly that. */
  @state() private shown: { readonly result: ResultSet; readonly rows: readonly PluginRow[]; readonly narrowed: boolean } | undefined;

  constructor() {
    super();
    // Files dropped anywhere on the page go where they belong (chooseFiles); the drop zones take their own drops first.
    this.addEventListener('dragover', (e) => {
      if (this.session && e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    this.addEventListener('drop', (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (e.defaultPrevented || !this.session || files.length === 0) return;
      e.preventDefault();
      this.chooseFiles(this.session, files);
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('engine') || changed.has('thirdParty')) {
      this.session = this.engine ? new SessionController(this.engine, () => this.requestUpdate(), this.thirdParty) : undefined;
    }
  }

  override render() {
    const s = this.session;
    return html`
      <header>
        <h1>memscope</h1>
        <span class="muted">Memory forensics in your browser</span>
      </header>
      ${s ? this.renderSession(s) : html`<main><p class="muted">Starting the analysis engine…</p></main>`}
    `;
  }

  private renderSession(s: SessionController) {
    // The process tree the page runs on its own does not hold anything up: a run the user asks for replaces it.
    const busy = s.opening || (s.job !== undefined && !s.job.auto);
    const opener = html`
      <drop-zone
        label=${s.summary ? 'Open another image' : 'Drop a memory image here (raw, ELF core, LiME, Windows crash dump or AFF4)'}
        ?disabled=${busy}
        multiple
        @files-chosen=${(e: FilesChosenEvent) => void this.chooseFiles(s, e.detail)}
      ></drop-zone>
    `;
    const notices = html`
      ${s.opening ? html`<div class="status full"><span>Opening ${s.fileName}…</span><progress></progress></div>` : nothing}
      ${s.notice ? html`<p class="notice full" role="status">${s.notice}</p>` : nothing}
      ${
        s.failure && s.failure.code !== 'SYMBOLS_MISSING'
          ? html`<error-message class="full" .failure=${s.failure} @dismiss=${() => s.dismissFailure()}></error-message>`
          : nothing
      }
      ${
        s.missingSymbols
          ? html`<symbol-request class="full" .missing=${s.missingSymbols} ?busy=${busy}
            @symbol-files=${(e: CustomEvent<File[]>) => s.addSymbolFiles(e.detail)}></symbol-request>`
          : nothing
      }
    `;
    if (!s.summary) {
      return html`<main>
        ${notices}
        <section class="start">
          ${opener}
          <button class="sample" ?disabled=${busy} @click=${() => s.openSample()}>Try a sample</button>
        </section>
      </main>`;
    }
    return html`<main class="opened">
      ${notices}
      <section class="side">
        <image-summary .summary=${s.summary} .hashes=${s.hashes} .hashing=${s.hashing} @compute-hashes=${() => s.computeHashes()}></image-summary>
        <plugin-picker .plugins=${s.plugins} .brokenModules=${s.brokenPlugins} ?canAdd=${s.thirdParty !== undefined} ?disabled=${busy}
          @run-plugin=${(e: RunPluginEvent) => this.runPlugin(s, e)}
          @plugin-files=${(e: PluginFilesEvent) => s.addPlugins(e.detail)}
          @remove-plugin=${(e: RemovePluginEvent) => s.removePlugin(e.detail)}></plugin-picker>
        <symbols-panel .summary=${s.summary} .kept=${s.keptSymbols} ?busy=${busy}
          @symbol-files=${(e: CustomEvent<File[]>) => s.addSymbolFiles(e.detail)}
          @forget-symbols=${(e: SymbolKeyEvent) => s.forgetSymbols(e.detail)}
          @save-isf=${(e: SymbolKeyEvent) => this.saveIsf(s, e.detail)}></symbols-panel>
        ${opener}
      </section>
      <section class="results">
        <nav class="tabs" role="tablist">
          ${this.renderTab('results', 'Plugin results')}
          ${this.renderTab('memory', 'Memory')}
        </nav>
        <div class="result-pane" ?hidden=${this.tab !== 'results'}>${this.renderResults(s)}</div>
        ${keyed(s.summary, html`<hex-view ?hidden=${this.tab !== 'memory'} .read=${this.readMemory} .target=${this.hexTarget}></hex-view>`)}
      </section>
    </main>`;
  }

  /** A kept PDB's table as a Volatility 3 ISF file, downloaded (made in the engine worker; nothing leaves the machine). */
  private async saveIsf(s: SessionController, key: string): Promise<void> {
    const file = await s.isfFile(key);
    if (file) saveText(file.fileName, file.text, 'application/json');
  }

  private readonly readMemory: EngineApi['readMemory'] = (space, address, length) => this.engine!.readMemory(space, address, length);

  private renderTab(tab: 'results' | 'memory', label: string) {
    return html`<button role="tab" data-tab=${tab} aria-selected=${this.tab === tab ? 'true' : 'false'} @click=${() => (this.tab = tab)}>${label}</button>`;
  }

  /** An image opens; plugin modules dropped on the image's drop zone are added instead. */
  /**
   * Routes files by kind, whichever drop zone they came through: symbol files are added (the open image stays open),
   * plugin modules are checked and kept, and the first of the others is opened as a memory image, after the symbols.
   */
  private async chooseFiles(s: SessionController, files: File[]): Promise<void> {
    const modules = files.filter(isPluginModule);
    const symbols = files.filter((f) => !isPluginModule(f) && isSymbolFile(f));
    const image = files.find((f) => !isPluginModule(f) && !isSymbolFile(f));
    if (modules.length > 0 && s.thirdParty) await s.addPlugins(modules);
    if (symbols.length > 0) await s.addSymbolFiles(symbols);
    if (image) await s.open(image, image.name);
  }

  private runPlugin(s: SessionController, e: RunPluginEvent): void {
    this.tab = 'results';
    void s.run(e.detail.plugin, e.detail.options);
  }

  /** Opens a clicked address in the hex view, in the space its column declares. */
  private openAddress(columns: readonly Column[], e: CellActivateEvent): void {
    const target = addressTarget(columns, e.detail);
    if (target) this.showMemory(target);
  }

  private showMemory(target: HexTarget): void {
    this.hexTarget = target;
    this.tab = 'memory';
  }

  private renderResults(s: SessionController) {
    return html`
      ${
        s.job
          ? html`<job-progress .label=${s.job.plugin} .progress=${s.job.progress} .notice=${unresponsive(s.job)}
            @cancel-job=${() => s.cancel()}></job-progress>`
          : nothing
      }
      ${s.result && s.summary ? this.renderResult(s.result, s.summary.fileName) : nothing}
    `;
  }

  private renderResult(result: ResultSet, fileName: string) {
    const { plugin, columns, rows, version, summary, status, warnings } = result;
    const state =
      status === 'running'
        ? 'running…'
        : status === 'cancelled'
          ? 'cancelled — partial results'
          : status === 'failed'
            ? 'failed — partial results'
            : `${summary?.rowCount ?? rows.length} rows in ${((summary?.elapsedMs ?? 0) / 1000).toFixed(1)} s`;
    return html`
      <div class="result-head">
        <h2>${plugin.name}</h2>
        <span class="muted result-state">${state}</span>
        ${warnings.length > 0 ? html`<span class="warning-count">${warnings.length} warning${warnings.length === 1 ? '' : 's'}</span>` : nothing}
        <export-buttons .columns=${columns} .rows=${rows} .shown=${this.shown?.result === result && this.shown.narrowed ? this.shown.rows : undefined}
          baseName="${fileName}-${plugin.name}" ?disabled=${status === 'running'}></export-buttons>
      </div>
      ${
        warnings.length > 0
          ? html`<run-warnings .warnings=${warnings} @open-memory=${(e: OpenMemoryEvent) => this.showMemory(e.detail)}></run-warnings>`
          : nothing
      }
      ${
        plugin.tree
          ? html`<process-tree .columns=${columns} .rows=${rows} .version=${version}></process-tree>`
          : html`<result-table .columns=${columns} .rows=${rows} .version=${version}
            @cell-activate=${(e: CellActivateEvent) => this.openAddress(columns, e)}
            @view-change=${(e: ViewChangeEvent) => (this.shown = { result, rows: e.detail.shown, narrowed: e.detail.narrowed })}></result-table>`
      }
    `;
  }
}

/** For a third-party run whose sandbox has not answered for a second or more: when it will be stopped. */
function unresponsive(job: RunningJob): string {
  if (job.responseLimitMs === undefined || job.silentMs < 1000) return '';
  return `not responding for ${Math.floor(job.silentMs / 1000)} s — stopped at ${Math.round(job.responseLimitMs / 1000)} s`;
}

declare global {
  interface HTMLElementTagNameMap {
    'memscope-app': MemscopeApp;
  }
}
