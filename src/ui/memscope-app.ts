import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { EngineApi, ImageSummary } from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import type { ResultStore } from '../browser/idb-result-store.ts';
import type { Column, OptionSpec, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import type { RememberedText } from '../browser/idb-remembered-text.ts';
import { addressTarget } from './address-target.ts';
import './domain-enrichment.ts';
import type { EnrichedRows, EnrichmentChangeEvent, RowsFilterEvent } from './domain-enrichment.ts';
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
import { engineSectionRunner } from './engine-section-runner.ts';
import type { ProcessOpenEvent, ProcessRef } from './process-sections.ts';
import './process-tree.ts';
import './process-view.ts';
import type { SectionRunner } from './process-view.ts';
import './result-table.ts';
import type { CellActivateEvent, ViewChangeEvent } from './result-table.ts';
import './run-warnings.ts';
import './output-files.ts';
import type { OpenMemoryEvent } from './run-warnings.ts';
import { SessionController, type ResultSet, type RunningJob } from './session-controller.ts';
import { givenOptions, runKey, viewFromHash, viewToHash, type PageView, type Pane } from './page-view.ts';
import { processOfRow } from './process-sections.ts';
import { orderLabel, type SortSpec } from './table-model.ts';
import { saveText } from './download.ts';
import { runMetadata, timelineMetadata } from './run-metadata.ts';
import './timeline-view.ts';
import './registry-browser.ts';
import type { RegistryLocation, RegistryLocationEvent } from './registry-browser.ts';
import { PRINTKEY } from './registry-model.ts';
import { domainMentions, recordAddress, type Mention } from './domain-mentions.ts';
import { fileKind, type FileKind } from './file-kind.ts';
import { imageAndCompanions } from './image-files.ts';
import { exportOnPage, type Exporter } from './exporter.ts';
import { listedProcesses, processMarker } from './process-marks.ts';
import type { TimelineSource } from './timeline-rows.ts';
import { controlStyles } from './shared-styles.ts';
import { RawExportController } from './raw-export.ts';
import type { RawExportApi } from '../worker/raw-export-api.ts';
import './symbol-request.ts';
import type { ThirdPartyPlugins } from './third-party-plugins.ts';

/** The plugin that takes dropped YARA rules, and its option for their text. */
const YARASCAN = 'yarascan.yarascan';
const YARA_RULES_OPTION = 'yara-rules';
/** Rules files beyond this are not read into the page's option form. */
const MAX_RULES_BYTES = 4 * 1024 * 1024;

/** The page: open an image, see what it is, run plugins, read and export their results. */
@customElement('memscope-app')
export class MemscopeApp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        min-height: 100vh;
        container: page / inline-size;
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
      /* Narrow (a phone, a split window): the panels stack, results first; tables scroll inside their box. */
      @container page (max-width: 760px) {
        main,
        main.opened {
          grid-template-columns: minmax(0, 1fr);
          padding: 0.5em;
        }
        main.opened .results {
          order: -1;
        }
        header .muted {
          display: none;
        }
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
        font-family: var(--ms-mono, monospace);
      }
      .status {
        display: flex;
        gap: 0.8em;
        align-items: center;
      }
      [hidden] {
        display: none !important;
      }
      /* Read by screen readers, not shown. */
      .announce {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
      .tabs {
        display: flex;
        gap: 0.4em;
      }
      .tabs button[aria-selected='true'] {
        background: var(--ms-selected);
        border-color: var(--ms-accent);
      }
      .run-tabs {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em;
        border-bottom: 1px solid var(--ms-border);
        padding-bottom: 0.3em;
      }
      button.run-tab {
        font-family: var(--ms-mono, monospace);
        font-size: 0.85em;
        padding: 0.2em 0.2em 0.2em 0.5em;
      }
      .run-tab .close {
        display: inline-block;
        margin-left: 0.4em;
        padding: 0 0.3em;
        border-radius: 3px;
      }
      .run-tab .close:hover {
        background: var(--ms-hover);
      }
      button.run-tab[aria-selected='true'] {
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
  /** The engine worker's raw image export; without it (tests of the page alone) none is offered. */
  @property({ attribute: false }) rawExport?: RawExportApi;
  private rawExporter?: RawExportController;
  /** Third-party plugins (the plugin sandbox); without them none are offered. */
  @property({ attribute: false }) thirdParty?: ThirdPartyPlugins;
  /** What writes export files: on the page unless given one that works in a worker. */
  @property({ attribute: false }) exporter: Exporter = exportOnPage;
  /** Where runs are kept per image between visits; without it they last as long as the page. */
  @property({ attribute: false }) results?: ResultStore;
  /** Where option texts such as YARA rules are kept between visits (the page: IndexedDB); none: not kept. */
  @property({ attribute: false }) rememberedText?: RememberedText;
  @state() private remembered: Readonly<Record<string, string>> = {};
  private session?: SessionController;
  /** Keep the view in the URL's fragment (the page's own app; not the ones tests mount side by side). */
  @property({ type: Boolean, attribute: 'url-view' }) urlView = false;
  @state() private tab: Pane = 'results';
  /** Each run's filter and order, by plugin and options (they last while the image is open). */
  private views = new Map<string, { readonly query: string; readonly sort: SortSpec | undefined }>();
  /** The view the URL named when the page loaded, shown once an image is open. */
  private pending: PageView | undefined;
  /** The next URL change restores a view (Back/Forward): it replaces the history entry instead of adding one. */
  private replaceNext = false;
  /** The process the process view shows (picked in a result's row details or the process tree). */
  @state() private process: ProcessRef | undefined;
  private processImage: ImageSummary | undefined;
  /** The process view's runs, beside the page's own in the engine. */
  private sectionRunner: SectionRunner | undefined;
  @state() private hexTarget: HexTarget | undefined;
  /** The registry pane's key (its hive and path), as the URL carries it. */
  @state() private registryLocation: RegistryLocation | undefined;
  /** The registry pane has been shown for this image: it stays (hidden) with what it has read. */
  private registryShown = false;
  /** What the result table shows of a result (its filter and order), for exporting exactly that. */
  @state() private shown: { readonly result: ResultSet; readonly rows: readonly PluginRow[]; readonly narrowed: boolean } | undefined;
  /** Runs enriched on request (domain-enrichment): their rows with the added columns, shown and exported instead. */
  private enriched = new WeakMap<ResultSet, EnrichedRows>();

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

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('rememberedText'))
      void this.rememberedText
        ?.all()
        .then((kept) => (this.remembered = kept))
        .catch(() => undefined);
    if (changed.has('engine') || changed.has('thirdParty') || changed.has('results')) {
      this.session = this.engine ? new SessionController(this.engine, () => this.requestUpdate(), this.thirdParty, this.results) : undefined;
    }
    if (changed.has('rawExport')) this.rawExporter = this.rawExport && new RawExportController(this.rawExport, () => this.requestUpdate());
    if (changed.has('urlView') && this.urlView && !this.session?.summary) this.pending = viewFromHash(location.hash);
    // The run the URL names is the first shown when an image opens (the session shows the process tree otherwise).
    if (this.session && this.pending?.plugin && !this.session.summary && !this.session.opening) {
      this.session.wanted = { plugin: this.pending.plugin, options: this.pending.options ?? {} };
    }
    if (changed.has('engine')) this.sectionRunner = this.engine && engineSectionRunner(this.engine);
    // Another image: the process view was about the last one.
    if (this.session?.summary !== this.processImage) {
      this.processImage = this.session?.summary;
      this.process = undefined;
      this.views = new Map();
      if (this.tab === 'process') this.tab = 'results';
      this.registryLocation = undefined;
      this.registryShown = false;
    }
    // The image is open and the session has shown the run the URL named: the rest of that view follows.
    const s = this.session;
    if (this.pending && s?.summary && !s.opening && s.wanted === undefined) {
      this.showView(s, this.pending);
      this.pending = undefined;
    }
    if (this.tab === 'registry') this.registryShown = true;
  }

  private readonly onPopState = (): void => {
    const view = viewFromHash(location.hash);
    const s = this.session;
    if (!this.urlView || !view || !s?.summary) return;
    this.replaceNext = true;
    if (view.plugin) s.showRun(view.plugin, view.options ?? {});
    this.showView(s, view);
  };

  /** The pane, filter and process of a view (its run is the session's to show). */
  private showView(s: SessionController, view: PageView): void {
    if (view.plugin) {
      const key = runKey(view.plugin, view.options ?? {});
      this.views.set(key, { query: view.filter ?? '', sort: this.views.get(key)?.sort });
    }
    if (view.process !== undefined) this.process = { pid: view.process, name: processName(s.tabs, view.process) };
    if (view.hive !== undefined) this.registryLocation = { hive: view.hive, key: view.key ?? '' };
    this.tab = view.pane === 'process' && !this.process ? 'results' : view.pane;
  }

  /** The view shown now, as the URL carries it. */
  private currentView(s: SessionController): PageView {
    const result = s.result;
    return {
      pane: this.tab,
      ...(result
        ? { plugin: result.plugin.name, options: result.options, filter: this.views.get(runKey(result.plugin.name, result.options))?.query }
        : {}),
      ...(this.process ? { process: this.process.pid } : {}),
      ...(this.tab === 'registry' && this.registryLocation ? this.registryLocation : {}),
    };
  }

  /**
   * Puts the view in the URL: a new history entry when the pane, run or process changes; the filter typed and the
   * registry key picked (the arrow keys go through many) replace it.
   */
  private writeUrl(s: SessionController): void {
    if (!this.urlView || !s.summary || this.pending) return;
    const view = this.currentView(s);
    const hash = viewToHash(view);
    if (hash === location.hash) return;
    const before = viewFromHash(location.hash);
    const unfiltered = (v: PageView) => viewToHash({ ...v, filter: '', hive: undefined, key: undefined });
    const sameButFilter = before !== undefined && unfiltered(before) === unfiltered(view);
    const url = `${location.pathname}${location.search}${hash}`;
    if (this.replaceNext || sameButFilter || !before) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.replaceNext = false;
  }

  /** What focus and the live region last followed: an image opened, a run shown, a run's state. */
  private followed: { summary?: ImageSummary; result?: ResultSet; status?: ResultSet['status'] } = {};

  protected override updated(): void {
    const s = this.session;
    if (!s) return;
    this.writeUrl(s);
    if (s.summary && s.summary !== this.followed.summary) {
      this.followed.summary = s.summary;
      this.announce(`Opened ${s.summary.fileName}: ${s.summary.osVersion ?? s.summary.noOs?.short ?? 'no operating system found'}`);
      this.moveFocus(() => this.renderRoot.querySelector('image-summary'));
    }
    const result = s.result;
    if (!result) return;
    if (result !== this.followed.result) {
      this.followed.result = result;
      this.followed.status = undefined;
      // A run the user started: focus follows it (the tree the page runs on opening leaves focus on the summary).
      if (!s.job?.auto) this.moveFocus(() => this.renderRoot.querySelector('.result-head h2'));
    }
    if (result.status !== this.followed.status) {
      this.followed.status = result.status;
      if (result.status !== 'running') this.announce(`${result.plugin.name}: ${runState(result)}`);
    }
  }

  private announce(text: string): void {
    const region = this.renderRoot.querySelector('.announce');
    if (region) region.textContent = text;
  }

  /**
   * Moves focus to what just appeared, unless the user has put it somewhere else meanwhile: only from the page
   * itself, the drop zones or the plugin picker (what opened the image or started the run), or the summary the
   * page focused on opening.
   */
  private moveFocus(target: () => HTMLElement | null): void {
    const active = (this.renderRoot as ShadowRoot).activeElement;
    const fromTrigger = !active || active.matches('drop-zone, plugin-picker, button.sample, symbol-request, image-summary');
    const pageFocused = document.activeElement === document.body || document.activeElement === this;
    if (fromTrigger && pageFocused) target()?.focus();
  }

  override render() {
    const s = this.session;
    return html`
      <div class="announce" role="status" aria-live="polite"></div>
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
        label=${s.summary ? 'Open another image' : 'Drop a memory image here (raw, ELF core, LiME, kdump, Windows crash dump, hiberfil.sys, AFF4, AVML, VMware .vmem with its .vmss/.vmsn; gzip, ZIP or Snappy/S2 compressed)'}
        ?disabled=${busy}
        multiple
        @files-chosen=${(e: FilesChosenEvent) => void this.chooseFiles(s, e.detail)}
      ></drop-zone>
    `;
    const notices = html`
      ${
        s.opening
          ? html`<div class="status full">
            ${
              s.openProgress
                ? html`<span>${s.openProgress.stage}…</span><progress value=${s.openProgress.done} max=${s.openProgress.total}></progress>`
                : html`<span>Opening ${s.fileName}…</span><progress></progress>`
            }
          </div>`
          : nothing
      }
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
        <image-summary .summary=${s.summary} .hashes=${s.hashes} .hashing=${s.hashing} @compute-hashes=${() => s.computeHashes()}
          @cancel-hashes=${() => s.cancelHashes()} ?exportable=${this.rawExporter !== undefined} .rawExport=${this.rawExporter?.state}
          @export-raw=${() => this.rawExporter?.start(s.summary!)} @cancel-export=${() => this.rawExporter?.cancel()}></image-summary>
        <plugin-picker .plugins=${s.plugins} .remembered=${this.remembered} .brokenModules=${s.brokenPlugins} ?canAdd=${s.thirdParty !== undefined} ?disabled=${busy}
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
          ${this.renderTab('timeline', 'Timeline')}
          ${this.renderTab('registry', 'Registry')}
          ${this.process ? this.renderTab('process', `Process ${this.process.pid}`) : nothing}
        </nav>
        <div class="result-pane" ?hidden=${this.tab !== 'results'} @process-open=${(e: ProcessOpenEvent) => this.showProcess(e.detail)}>
          ${this.renderResults(s)}
        </div>
        ${
          this.process && this.sectionRunner
            ? keyed(
                s.summary,
                html`<process-view ?hidden=${this.tab !== 'process'} .process=${this.process} .plugins=${s.plugins}
                  .runner=${this.sectionRunner} @process-open=${(e: ProcessOpenEvent) => this.showProcess(e.detail)}></process-view>`,
              )
            : nothing
        }
        ${
          this.tab === 'timeline'
            ? html`<timeline-view .sources=${this.timelineSources(s)} .bootTime=${s.summary.bootTime} baseName=${s.summary.fileName} .exporter=${this.exporter}
                .metadata=${(runs: readonly string[]) => timelineMetadata(s.summary!, s.hashes, runs)}></timeline-view>`
            : nothing
        }
        ${keyed(s.summary, html`<hex-view ?hidden=${this.tab !== 'memory'} .read=${this.readMemory} .target=${this.hexTarget}></hex-view>`)}
        ${this.tab === 'registry' || this.registryShown ? keyed(s.summary, html`<div class="registry-pane" ?hidden=${this.tab !== 'registry'}>${this.renderRegistry(s)}</div>`) : nothing}
      </section>
    </main>`;
  }

  /** The registry browser, or why this image has no registry to browse. */
  private renderRegistry(s: SessionController) {
    const summary = s.summary!;
    if (summary.os !== 'windows') {
      const why =
        summary.os === null
          ? 'No operating system was found in this image (see the summary), so there is no registry to read.'
          : `The registry is Windows's configuration database: this is a ${summary.osVersion ?? summary.os} image, which has none.`;
      return html`<p class="notice registry-absent">${why}</p>`;
    }
    const printkey = s.plugins.find((p) => p.name === PRINTKEY);
    if (!printkey || printkey.unmet.length > 0 || !this.sectionRunner) {
      const why = printkey ? printkey.unmet.join('; ') : `${PRINTKEY} is not available`;
      return html`<p class="notice registry-absent">The registry cannot be read here: ${why}.</p>`;
    }
    return html`<registry-browser .runner=${this.sectionRunner} .location=${this.registryLocation}
      @registry-location=${(e: RegistryLocationEvent) => (this.registryLocation = e.detail)}></registry-browser>`;
  }

  /** A kept PDB's table as a Volatility 3 ISF file, downloaded (made in the engine worker; nothing leaves the machine). */
  private async saveIsf(s: SessionController, key: string): Promise<void> {
    const file = await s.isfFile(key);
    if (file) saveText(file.fileName, file.text, 'application/json');
  }

  private readonly readMemory: EngineApi['readMemory'] = (space, address, length) => this.engine!.readMemory(space, address, length);

  private showProcess(process: ProcessRef): void {
    this.process = process;
    this.tab = 'process';
  }

  private renderTab(tab: Pane, label: string) {
    return html`<button role="tab" data-tab=${tab} aria-selected=${this.tab === tab ? 'true' : 'false'} @click=${() => (this.tab = tab)}>${label}</button>`;
  }

  /**
   * Routes files by what they hold (fileKind), whichever drop zone they came through: symbol files are added (the open
   * image stays open), plugin modules are checked and kept, YARA rules fill yarascan's form, and the first of
   * the others is opened as a memory image, after the symbols.
   */
  private async chooseFiles(s: SessionController, files: File[]): Promise<void> {
    const kinds = await Promise.all(files.map(fileKind));
    const of = (kind: FileKind) => files.filter((_, i) => kinds[i] === kind);
    const [modules, symbols, rules] = [of('plugin'), of('symbols'), of('yara-rules')];
    const { image, companions } = imageAndCompanions(of('image'));
    if (modules.length > 0 && s.thirdParty) await s.addPlugins(modules);
    if (symbols.length > 0) await s.addSymbolFiles(symbols);
    if (image) await s.open(image, image.name, companions);
    if (rules.length > 0) await this.offerRules(s, rules[0]!);
  }

  /**
   * YARA rules dropped or picked: yarascan chosen in the picker with the rules filled in, to check and run (a scan
   * of the whole image is the user's to start).
   */
  private async offerRules(s: SessionController, file: File): Promise<void> {
    const picker = this.renderRoot.querySelector('plugin-picker');
    if (!s.summary || !picker) {
      s.tell(`${file.name}: YARA rules — open a memory image first, then drop the rules to scan it with them.`);
      return;
    }
    if (!s.plugins.some((p) => p.name === YARASCAN)) {
      s.tell(`${file.name}: YARA rules — ${YARASCAN} is not available here.`);
      return;
    }
    if (file.size > MAX_RULES_BYTES) {
      s.tell(`${file.name}: YARA rules of ${file.size} bytes — more than memscope takes from a dropped file (${MAX_RULES_BYTES / 1024 / 1024} MiB).`);
      return;
    }
    picker.choose(YARASCAN, { [YARA_RULES_OPTION]: await file.text() });
    s.tell(`${file.name}: rules ready in ${YARASCAN} — press Run to scan the image with them.`);
    picker.scrollIntoView({ block: 'nearest' });
  }

  private runPlugin(s: SessionController, e: RunPluginEvent): void {
    this.tab = 'results';
    void s.run(e.detail.plugin, e.detail.options);
    this.rememberTexts(s.plugins.find((p) => p.name === e.detail.plugin)?.options ?? [], e.detail.options);
  }

  /** Keeps what a run gave options that take a file's text (YARA rules), to fill them in next time. */
  private rememberTexts(specs: readonly OptionSpec[], options: PluginOptions): void {
    for (const spec of specs) {
      const text = options[spec.name];
      if (spec.type !== 'str' || !spec.fromFile || typeof text !== 'string' || text === this.remembered[spec.name]) continue;
      this.remembered = { ...this.remembered, [spec.name]: text };
      void this.rememberedText?.remember(spec.name, text).catch(() => undefined);
    }
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
      ${s.tabs.length > 1 ? this.renderRunTabs(s) : nothing}
      ${s.result && s.summary ? this.renderResult(s.result, s.summary, s.hashes) : nothing}
    `;
  }

  /** A tab per run of this image (kept in this browser across visits): click to show, × to close. */
  private renderRunTabs(s: SessionController) {
    return html`<div class="run-tabs" role="tablist" aria-label="Runs of this image">
      ${s.tabs.map((t) => {
        const label = `${t.plugin.name}${optionsLabel(t.options)}`;
        // The × is for the mouse; from the keyboard, Delete on the tab closes it (a tab list holds tabs only).
        return html`<button class="run-tab" role="tab" data-run=${t.id} aria-selected=${t === s.result ? 'true' : 'false'}
          title="${label} — Delete or × closes it (forgets this run in this browser)" aria-keyshortcuts="Delete"
          @click=${() => s.selectTab(t.id)} @keydown=${(e: KeyboardEvent) => e.key === 'Delete' && s.closeTab(t.id)}
          ><span class="label">${label}${t.status === 'running' ? ' …' : ''}</span><span class="close" aria-hidden="true"
            @click=${(e: Event) => {
              e.stopPropagation();
              s.closeTab(t.id);
            }}>×</span></button>`;
      })}
    </div>`;
  }

  /** The runs so far, for the timeline: the same array while they and their rows are the same (it is rebuilt from them). */
  private timelineSources(s: SessionController): readonly TimelineSource[] {
    const key = s.tabs.map((t) => `${t.id}:${t.version}:${t.rows.length}`).join(' ');
    if (key !== this.timeline.key) {
      this.timeline = { key, sources: s.tabs.map((t) => ({ plugin: t.plugin.name, columns: t.columns, rows: t.rows })) };
    }
    return this.timeline.sources;
  }

  private timeline: { key: string; sources: readonly TimelineSource[] } = { key: '', sources: [] };

  /**
   * How a run's process rows are marked: exited ones where it has exit times; for a scan, hidden ones — those the
   * active list (a finished pslist or pstree of the whole list) does not have. The same function while nothing changes.
   */
  private marker(result: ResultSet): ReturnType<typeof processMarker> {
    const s = this.session!;
    const os = s.summary?.os;
    const list = result.plugin.name.endsWith('.psscan')
      ? s.tabs.find(
          (t) => (t.plugin.name === `${os}.pslist` || t.plugin.name === `${os}.pstree`) && t.status === 'done' && !givenOptions(t.options).pid,
        )
      : undefined;
    const key = `${result.id}:${result.columns.length}:${list?.id ?? ''}`;
    if (key !== this.marks.key) this.marks = { key, marker: processMarker(result.columns, list && listedProcesses(list.columns, list.rows)) };
    return this.marks.marker;
  }

  private marks: { key: string; marker: ReturnType<typeof processMarker> } = { key: '', marker: undefined };

  private viewChanged(result: ResultSet, e: ViewChangeEvent): void {
    const { shown, narrowed, query, sort } = e.detail;
    this.shown = { result, rows: shown, narrowed };
    this.views.set(runKey(result.plugin.name, result.options), { query, sort });
    if (this.session) this.writeUrl(this.session);
  }

  /** Shows (and exports) a run with its enrichment, or without once it is removed. */
  private enrich(result: ResultSet, enriched: EnrichedRows | undefined): void {
    if (enriched) this.enriched.set(result, enriched);
    else this.enriched.delete(result);
    this.requestUpdate();
  }

  /** Sets a run's filter (the table takes it, the URL follows). */
  private filterRun(result: ResultSet, query: string): void {
    const key = runKey(result.plugin.name, result.options);
    this.views.set(key, { query, sort: this.views.get(key)?.sort });
    this.requestUpdate();
  }

  /** Where else this row's cached name (or the address it resolved to) shows in the image's runs, each a link to those rows. */
  private renderMentions(result: ResultSet, columns: readonly Column[], row: PluginRow) {
    const s = this.session;
    const at = columns.findIndex((c) => c.name === result.plugin.domainColumn);
    const name = at >= 0 ? row.values[at] : undefined;
    if (!s || typeof name !== 'string') return nothing;
    const address = recordAddress(row.values[columns.findIndex((c) => c.name === 'Data')]);
    const runs = s.tabs.filter((t) => t.status !== 'running');
    const mentions = domainMentions(name, address, runs, result.id);
    return html`<dt>Also in</dt>
      <dd class="mentions">
        ${
          mentions.length === 0
            ? html`<span class="muted">no other run of this image mentions ${name}${address ? ` or ${address}` : ''} (runs so far: ${runs.length - 1})</span>`
            : mentions.map(
                (m) =>
                  html`<button class="mention" title="Show the rows of ${m.plugin} that hold ${m.term}" @click=${() => this.showMention(m)}>
                    ${m.plugin}: ${m.rows} row${m.rows === 1 ? '' : 's'} with ${m.term}</button>`,
              )
        }
      </dd>`;
  }

  private showMention(m: Mention): void {
    const s = this.session;
    const run = s?.tabs.find((t) => t.id === m.runId);
    if (!s || !run) return;
    this.filterRun(run, m.term);
    s.selectTab(run.id);
  }

  private renderResult(result: ResultSet, image: ImageSummary, hashes: ImageHashes | undefined) {
    const { plugin, version, status, warnings } = result;
    const { columns, rows } = this.enriched.get(result) ?? result;
    const state = runState(result);
    const view = this.views.get(runKey(plugin.name, result.options));
    return html`
      <div class="result-head">
        <h2 tabindex="-1">${plugin.name}</h2>
        <span class="muted result-state">${state}</span>
        ${warnings.length > 0 ? html`<span class="warning-count">${warnings.length} warning${warnings.length === 1 ? '' : 's'}</span>` : nothing}
        <export-buttons .exporter=${this.exporter} .columns=${columns} .rows=${rows} .shown=${this.shown?.result === result && this.shown.narrowed ? this.shown.rows : undefined}
          .narrowing=${view && { filter: view.query, order: orderLabel(columns, view.sort) }}
          .run=${runMetadata(image, hashes, result)} baseName="${image.fileName}-${plugin.name}" ?disabled=${status === 'running'}></export-buttons>
      </div>
      ${
        plugin.domainColumn !== undefined && status === 'done'
          ? keyed(
              result.id,
              html`<domain-enrichment .columns=${result.columns} .rows=${result.rows} .domainColumn=${plugin.domainColumn}
                @enrichment-change=${(e: EnrichmentChangeEvent) => this.enrich(result, e.detail)}
                @rows-filter=${(e: RowsFilterEvent) => this.filterRun(result, e.detail)}></domain-enrichment>`,
            )
          : nothing
      }
      ${
        warnings.length > 0
          ? html`<run-warnings .warnings=${warnings} @open-memory=${(e: OpenMemoryEvent) => this.showMemory(e.detail)}></run-warnings>`
          : nothing
      }
      ${result.summary?.files ? html`<output-files .files=${result.summary.files}></output-files>` : nothing}
      ${
        plugin.tree
          ? html`<process-tree .columns=${columns} .rows=${rows} .version=${version} .mark=${this.marker(result)}></process-tree>`
          : keyed(
              result.id,
              html`<result-table .columns=${columns} .rows=${rows} .version=${version} .query=${view?.query ?? ''} .sort=${view?.sort}
                .mark=${this.marker(result)} .related=${plugin.domainColumn === undefined ? undefined : (row: PluginRow) => this.renderMentions(result, columns, row)}
                @cell-activate=${(e: CellActivateEvent) => this.openAddress(columns, e)}
                @view-change=${(e: ViewChangeEvent) => this.viewChanged(result, e)}></result-table>`,
            )
      }
    `;
  }
}

/** A run's state in a few words: "running…", "12 rows in 0.3 s", "cancelled — partial results". */
function runState({ status, summary, rows }: ResultSet): string {
  if (status === 'running') return 'running…';
  if (status === 'cancelled') return 'cancelled — partial results';
  if (status === 'failed') return 'failed — partial results';
  return `${summary?.rowCount ?? rows.length} rows in ${((summary?.elapsedMs ?? 0) / 1000).toFixed(1)} s`;
}

/** The options a run was given, for its tab (" pid=4,1337"); unset and false ones left out. */
function optionsLabel(options: PluginOptions): string {
  return Object.entries(givenOptions(options))
    .map(([k, v]) => ` ${k}${v === true ? '' : `=${shortened(Array.isArray(v) ? v.join(',') : String(v))}`}`)
    .join('');
}

/** An option's value in a tab's label: its first line, at most 32 characters (rules' text is long). */
function shortened(text: string): string {
  const line = text.split('\n', 1)[0]!;
  return line.length > 32 || line.length < text.length ? `${line.slice(0, 31)}…` : line;
}

/** A process's name from the runs so far that list it (the process tree's, pslist's), for a view the URL named by PID. */
function processName(tabs: readonly ResultSet[], pid: number): string | null {
  for (const { columns, rows } of tabs) {
    for (const row of rows) {
      const process = processOfRow(columns, row);
      if (process?.pid === pid && process.name) return process.name;
    }
  }
  return null;
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
