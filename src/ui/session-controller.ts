import { proxy } from 'comlink';
import type {
  KeptSymbols,
  EngineApi,
  EngineFailure,
  ImagePluginInfo,
  ImageSummary,
  JobProgress,
  MissingSymbols,
  Outcome,
  PluginInfo,
  PluginJobs,
  RunSummary,
} from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import { isMemscopeError } from '../errors.ts';
import type { Column, CountedWarning, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { rowProblem } from '../plugins/row-check.ts';
import { runKey } from './page-view.ts';
import { fetchSample } from './sample-loader.ts';
import type { ResultStore } from '../browser/idb-result-store.ts';
import { symbolMismatch } from './symbol-mismatch.ts';
import type { BrokenModule, SandboxImage, ThirdPartyList, ThirdPartyPlugins } from './third-party-plugins.ts';

export interface ResultSet {
  /** Its tab's identity (unique while the page is open; kept with the run in this browser). */
  readonly id: string;
  readonly plugin: PluginInfo;
  readonly options: PluginOptions;
  /** When the run started (ISO 8601, UTC), for the exports' metadata. */
  readonly startedAt: string;
  /** The columns for the options of this run (the plugin's declared ones until the engine has said). */
  columns: readonly Column[];
  /** Appended in place while the job streams; `version` counts the appends. */
  readonly rows: PluginRow[];
  version: number;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  summary?: RunSummary;
  /** The run's warnings once it has ended, however it ended. */
  warnings: readonly CountedWarning[];
}

export interface RunningJob {
  readonly id: string;
  readonly plugin: string;
  /** Started by the page itself on opening an image (the process tree): any run the user asks for replaces it. */
  readonly auto: boolean;
  progress: JobProgress;
  /** A third-party run: how long its sandbox may not answer before it is stopped, and how long it has not. */
  readonly responseLimitMs?: number;
  silentMs: number;
}

type OpenImage = Omit<SandboxImage, 'seed'>;

/** Image files up to this size are hashed on opening, once the process tree is shown; larger ones on request. */
export const AUTO_HASH_MAX_BYTES = 2 * 1024 ** 3;

/** While rows stream in, the page re-renders at most this often. */
const STREAM_REPAINT_MS = 200;

/**
 * What the page shows and does, apart from how it looks: opening an image, running plugins (memscope's own in the
 * engine worker, third-party ones in the plugin sandbox), streaming rows, cancelling, adding symbol files then
 * retrying whatever needed them, and adding and removing third-party plugin modules.
 */
export class SessionController {
  fileName: string | undefined;
  opening = false;
  /** How far decompressing the image being opened is (a gzip file, a deflated ZIP member), while it is. */
  openProgress: { readonly done: number; readonly total: number; readonly stage: string } | undefined;
  summary: ImageSummary | undefined;
  /** Plugins that apply to the opened image's OS, each with what it lacks to run there. */
  plugins: readonly ImagePluginInfo[] = [];
  job: RunningJob | undefined;
  /** Every run of this image, a tab each, in the order they were first run; `result` is the one shown. */
  tabs: readonly ResultSet[] = [];
  result: ResultSet | undefined;
  failure: EngineFailure | undefined;
  missingSymbols: MissingSymbols | undefined;
  /** The symbol files this browser keeps for later sessions. */
  keptSymbols: readonly KeptSymbols[] = [];
  /** The open image's file hashes, once computed; `hashing` while they are. */
  hashes: ImageHashes | undefined;
  hashing: { done: number; total: number } | undefined;
  /** The file open, and the file `hashes` are of (reopening it, e.g. after adding symbols, keeps them). */
  private openFile: Blob | undefined;
  private hashed: Blob | undefined;
  /** Stored third-party modules that cannot be used now (listed so that they can be removed). */
  brokenPlugins: readonly BrokenModule[] = [];
  /** The run to show once the next image is open (the page's URL named it), instead of the process tree. */
  wanted: { readonly plugin: string; readonly options: PluginOptions } | undefined;
  /** A short confirmation (a plugin module added). */
  notice: string | undefined;
  /** The open image, for the plugin sandbox. */
  private image: OpenImage | undefined;
  /** Settles when the running job has ended (however it ended). */
  private running: Promise<void> = Promise.resolve();
  /** Where the running job runs. */
  private jobHost: Pick<EngineApi, 'cancel'> | undefined;
  /** What to do again once the missing symbols are added. */
  private retry: (() => Promise<void>) | undefined;
  private reopen: (() => Promise<void>) | undefined;
  private jobCount = 0;
  private repaintTimer: ReturnType<typeof setTimeout> | undefined;
  /** Plugin modules added while a run was going: checked once it ends. */
  private pendingPlugins: File[] = [];
  /** The job Cancel was pressed for: one cancelled before the engine has it (while its columns are asked) never starts. */
  private cancelled: RunningJob | undefined;

  constructor(
    private readonly engine: EngineApi,
    private readonly changed: () => void,
    /** Without it (tests of the page alone) third-party plugins are not offered. */
    readonly thirdParty?: ThirdPartyPlugins,
    /** Where ended runs are kept per image; without it, runs last as long as the page. */
    private readonly results?: ResultStore,
  ) {
    if (thirdParty) thirdParty.onSilence = (ms) => this.silence(ms);
  }

  /** Opens an image; `companions`: the files chosen with it that its format may ask for (a VMware .vmem's .vmss). */
  async open(file: Blob, fileName: string, companions: readonly File[] = []): Promise<void> {
    // A running job ends first: how it ends (and the job slot it frees) belongs to the image it ran on.
    this.cancel();
    await this.running;
    this.fileName = fileName;
    this.opening = true;
    this.summary = undefined;
    this.openFile = file;
    if (file !== this.hashed) this.hashes = undefined;
    this.hashing = undefined;
    this.plugins = [];
    this.brokenPlugins = [];
    this.image = undefined;
    this.result = undefined;
    this.tabs = [];
    this.notice = undefined;
    this.clearFailure();
    this.changed();
    const companionBlobs = companions.map((c) => ({ name: c.name, blob: c }));
    const onProgress = proxy((done: number, total: number, stage: string) => {
      if (this.opening) this.openProgress = { done, total, stage };
      this.repaintSoon();
    });
    const outcome = await settle(async () => {
      const opened = await this.engine.open(file, fileName, companionBlobs, onProgress);
      return opened.ok ? ({ ok: true, value: { summary: opened.value, plugins: await this.engine.plugins() } } as const) : opened;
    });
    const reopen = () => this.open(file, fileName, companions);
    if (outcome.ok) {
      const { summary, plugins } = outcome.value;
      this.summary = summary;
      this.plugins = plugins.filter((p) => p.os === 'any' || p.os === summary.os);
      this.reopen = reopen;
      if (summary.missingSymbols) this.needSymbols(summary.missingSymbols, reopen);
    } else {
      this.fail(outcome.error, reopen);
    }
    this.opening = false;
    this.openProgress = undefined;
    this.changed();
    if (outcome.ok) {
      await this.restoreTabs(outcome.value.summary);
      const wanted = this.wanted;
      this.wanted = undefined;
      if (!wanted || !this.showRun(wanted.plugin, wanted.options)) this.showProcessTree();
      if (outcome.value.summary.fileSize <= AUTO_HASH_MAX_BYTES) void this.hashWhenIdle(outcome.value.summary);
    }
    await this.listKeptSymbols();
    if (outcome.ok && this.thirdParty) {
      const image = { file, fileName, companions: companionBlobs };
      this.image = image;
      await this.listThirdParty(image, this.thirdParty.open({ ...image, seed: () => this.engine.sessionSeed() }));
    }
  }

  /**
   * First sight of an opened image: its process tree, run without a click (any run the user asks for replaces it),
   * unless this browser kept a finished one for the image.
   */
  private showProcessTree(): void {
    const tree = this.plugins.find((p) => p.name === `${this.summary?.os}.pstree` && p.unmet.length === 0);
    if (tree && !this.tabs.some((t) => t.plugin === tree && t.status === 'done')) void this.run(tree.name, {}, { auto: true });
  }

  /**
   * Hashes the image once no plugin runs (the process tree shown on opening first, or the run that replaced it), so
   * that reading the whole file slows neither; not if another image has been opened meanwhile.
   */
  private async hashWhenIdle(summary: ImageSummary): Promise<void> {
    while (this.job) {
      await this.running;
      // A run waiting for this one to end (one the user asked for) starts in the same turn: let it.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (this.summary === summary) await this.computeHashes();
  }

  /** Opens the sample the build ships (`sample/`), adding its symbol pack first. */
  async openSample(): Promise<void> {
    this.fileName = 'sample';
    this.opening = true;
    this.clearFailure();
    this.changed();
    const outcome = await settle(async () => {
      const sample = await fetchSample();
      const added = await this.engine.addSymbolFiles(sample.symbols.map((f) => ({ name: f.name, blob: f })));
      return added.ok ? ({ ok: true, value: sample } as const) : added;
    });
    if (outcome.ok) return this.open(outcome.value.image, outcome.value.image.name);
    this.opening = false;
    this.fail(outcome.error);
    this.changed();
  }

  async run(plugin: string, options: PluginOptions, { auto = false } = {}): Promise<void> {
    const info = this.plugins.find((p) => p.name === plugin);
    if (!info) return;
    if (this.job?.auto && !auto) {
      // The tree the page ran by itself gives way: its tab goes too, unless it had finished.
      const replaced = this.result;
      this.cancel();
      await this.running;
      if (replaced?.status === 'cancelled') this.closeTab(replaced.id);
    }
    if (this.job) return;
    const host = info.origin !== undefined && this.thirdParty ? this.thirdParty : this.engine;
    const job: RunningJob = {
      id: `job-${++this.jobCount}`,
      plugin,
      auto,
      progress: { done: 0, total: 0, stage: 'Starting' },
      responseLimitMs: host === this.thirdParty ? this.thirdParty.limitMs : undefined,
      silentMs: 0,
    };
    this.job = job;
    this.jobHost = host;
    this.notice = undefined;
    // The new run shows at once (the last one's rows would otherwise stay up while the engine answers).
    const result: ResultSet = {
      // Unique across visits too: tabs kept from earlier ones sit beside this one.
      id: `run-${Date.now().toString(36)}-${job.id}`,
      plugin: info,
      options,
      startedAt: new Date().toISOString(),
      columns: info.columns,
      rows: [],
      version: 0,
      status: 'running',
      warnings: [],
    };
    this.showTab(result);
    this.failure = undefined;
    this.changed();
    let finished!: () => void;
    this.running = new Promise((resolve) => (finished = resolve));
    try {
      await this.runJob(job, host, info, options, result);
    } finally {
      finished();
    }
  }

  private async runJob(job: RunningJob, host: PluginJobs, info: PluginInfo, options: PluginOptions, result: ResultSet): Promise<void> {
    const plugin = info.name;
    const columns = await host.columns(plugin, options).catch(() => info.columns);
    result.columns = columns;
    this.changed();
    /** Why a row from the plugin sandbox does not fit (checked again here, out of plugin code's reach). */
    let misfit: string | undefined;
    const ran = await settle(async () =>
      this.cancelled === job
        ? CANCELLED
        : host.run(
            job.id,
            plugin,
            options,
            proxy((rows: PluginRow[]) => {
              if (misfit !== undefined) return;
              misfit = host === this.thirdParty ? rows.map((row) => rowProblem(columns, row)).find((p) => p !== undefined) : undefined;
              if (misfit !== undefined) {
                this.cancel();
                return;
              }
              for (const row of rows) result.rows.push(row);
              result.version++;
              this.repaintSoon();
            }),
            proxy((progress: JobProgress) => {
              job.progress = progress;
              this.repaintSoon();
            }),
          ),
    );
    const outcome: Outcome<RunSummary> =
      misfit === undefined
        ? ran
        : {
            ok: false,
            error: {
              code: 'PLUGIN_FAILED',
              message: `${info.origin}: third-party plugin ${plugin} yielded a bad row: ${misfit} — report it to the plugin's author`,
            },
          };
    clearTimeout(this.repaintTimer);
    this.repaintTimer = undefined;
    this.job = undefined;
    this.jobHost = undefined;
    result.warnings = outcome.ok ? outcome.value.warnings : (outcome.error.warnings ?? []);
    if (outcome.ok) {
      result.status = 'done';
      result.summary = outcome.value;
    } else if (outcome.error.code === 'CANCELLED') {
      result.status = 'cancelled';
    } else {
      result.status = 'failed';
      // Reopening refreshes the summary (OS version, symbols) once the symbols are there.
      const reopen = this.reopen;
      this.fail(outcome.error, async () => {
        await reopen?.();
        await this.run(plugin, options);
      });
    }
    result.version++;
    this.changed();
    void this.keepRun(result, job.auto);
    const pending = this.pendingPlugins.splice(0);
    if (pending.length > 0) await this.addPlugins(pending);
  }

  /** Shows a run's tab: a new one after the others, or in the place of the tab of the same plugin and options. */
  private showTab(result: ResultSet): void {
    const key = runKey(result.plugin.name, result.options);
    const same = this.tabs.findIndex((t) => runKey(t.plugin.name, t.options) === key);
    if (same >= 0 && this.tabs[same]!.status !== 'running') {
      void this.results?.forget(runsKey(this.summary!), this.tabs[same]!.id);
      this.tabs = this.tabs.map((t, i) => (i === same ? result : t));
    } else {
      this.tabs = [...this.tabs, result];
    }
    this.result = result;
  }

  /**
   * Shows the run of `plugin` with `options`: its tab if there is one, else a new run. False when the image has no
   * such plugin able to run now.
   */
  showRun(plugin: string, options: PluginOptions): boolean {
    const key = runKey(plugin, options);
    const tab = this.tabs.find((t) => runKey(t.plugin.name, t.options) === key);
    if (tab) {
      this.selectTab(tab.id);
      return true;
    }
    if (!this.plugins.some((p) => p.name === plugin && p.unmet.length === 0)) return false;
    void this.run(plugin, options);
    return true;
  }

  /** Shows a short notice (until the next image, run or notice). */
  tell(notice: string): void {
    this.notice = notice;
    this.changed();
  }

  selectTab(id: string): void {
    const tab = this.tabs.find((t) => t.id === id);
    if (!tab) return;
    this.result = tab;
    this.changed();
  }

  /** Closes a tab (a running one's job is cancelled) and forgets its run in this browser. */
  closeTab(id: string): void {
    const at = this.tabs.findIndex((t) => t.id === id);
    if (at < 0) return;
    if (this.tabs[at]!.status === 'running') this.cancel();
    this.tabs = this.tabs.filter((t) => t.id !== id);
    if (this.result?.id === id) this.result = this.tabs[Math.min(at, this.tabs.length - 1)];
    if (this.summary) void this.results?.forget(runsKey(this.summary), id);
    this.changed();
  }

  /** The runs this browser kept for the image, as tabs (those of plugins it no longer offers left out); the last shown. */
  private async restoreTabs(summary: ImageSummary): Promise<void> {
    const kept = await this.results?.runs(runsKey(summary)).catch(() => []);
    if (!kept?.length || this.summary !== summary) return;
    const restored = kept.flatMap((run): ResultSet[] => {
      const plugin = this.plugins.find((p) => p.name === run.plugin);
      if (!plugin) return [];
      const { id, options, columns, warnings, status, elapsedMs } = run;
      const rows = [...run.rows];
      return [
        {
          id,
          plugin,
          options,
          startedAt: run.started,
          columns,
          rows,
          version: 1,
          status,
          warnings,
          summary: { rowCount: rows.length, warnings, elapsedMs },
        },
      ];
    });
    // A run started while they were read stays, after them, and stays shown.
    this.tabs = [...restored, ...this.tabs.filter((t) => !restored.some((r) => r.id === t.id))];
    this.result ??= this.tabs.at(-1);
    this.changed();
  }

  /**
   * Keeps an ended run in this browser for the image: a finished one, or the rows a run the user asked for found
   * before it was cancelled or failed (not the tree the page ran by itself and stopped).
   */
  private async keepRun(result: ResultSet, auto: boolean): Promise<void> {
    const summary = this.summary;
    // A tab closed while its run went on stays closed.
    if (!this.results || !summary || result.plugin.origin !== undefined || !this.tabs.includes(result)) return;
    if (result.status !== 'done' && (auto || result.status === 'running' || result.rows.length === 0)) return;
    const { id, options, columns, rows, warnings, status, startedAt } = result;
    const run = { id, plugin: result.plugin.name, options, columns, rows, warnings, status, started: startedAt };
    await this.results
      .keep(runsKey(summary), { ...run, elapsedMs: result.summary?.elapsedMs ?? 0, finished: new Date().toISOString() })
      .catch(() => {});
  }

  cancel(): void {
    if (!this.job) return;
    this.cancelled = this.job;
    void this.jobHost?.cancel(this.job.id);
  }

  /** Checks plugin modules (.mjs / .js) in the plugin sandbox and keeps each that is valid; stops at the first that is not. */
  async addPlugins(files: readonly File[]): Promise<void> {
    const thirdParty = this.thirdParty;
    if (!thirdParty) return;
    // Checking a module replaces the sandbox a running third-party job needs: it waits for the run to end.
    if (this.job) {
      this.pendingPlugins.push(...files);
      this.notice = `${files.map((f) => f.name).join(', ')} will be added when ${this.job.plugin} has finished.`;
      this.changed();
      return;
    }
    this.notice = undefined;
    for (const file of files) {
      const added = await settle(() => thirdParty.add(file));
      if (!added.ok) {
        this.failure = added.error;
        this.changed();
        return;
      }
      this.failure = undefined;
      this.notice = `Added ${added.value.map((p) => p.name).join(', ')} from ${file.name}${this.image ? '' : ': open an image to run it'}.`;
      this.changed();
    }
    if (this.image) await this.listThirdParty(this.image, thirdParty.list());
  }

  /** Forgets a third-party module (every plugin it brought). */
  async removePlugin(fileName: string): Promise<void> {
    await this.thirdParty?.remove(fileName);
    this.plugins = this.plugins.filter((p) => p.origin !== fileName);
    this.brokenPlugins = this.brokenPlugins.filter((m) => m.fileName !== fileName);
    this.changed();
  }

  async addSymbolFiles(files: readonly File[]): Promise<void> {
    const outcome = await settle(() => this.engine.addSymbolFiles(files.map((f) => ({ name: f.name, blob: f }))));
    if (!outcome.ok) {
      this.failure = outcome.error;
      this.changed();
      return;
    }
    const retry = this.retry;
    const needed = this.summary?.missingSymbols;
    const mismatch = needed && symbolMismatch(needed, outcome.value);
    this.clearFailure();
    this.changed();
    // Every retry reopens the image first, which fetches the plugin list again: plugins that lacked these symbols become runnable.
    if (retry) await retry();
    else await this.listKeptSymbols();
    // Said after the reopening, which clears notices.
    if (mismatch) {
      this.notice = mismatch;
      this.changed();
    }
  }

  /** Computes the open image's SHA-256 and MD5 in the engine worker (the whole file, once), with progress; cancellable. */
  async computeHashes(): Promise<void> {
    const summary = this.summary;
    const file = this.openFile;
    if (this.hashing || this.hashes || !summary) return;
    this.hashing = { done: 0, total: summary.fileSize };
    this.changed();
    const outcome = await settle(() =>
      this.engine.hashImage(
        proxy((done: number, total: number) => {
          if (this.hashing) this.hashing = { done, total };
          this.repaintSoon();
        }),
      ),
    );
    // The image may have been closed or opened again meanwhile: that open has its own hashing state.
    if (this.summary !== summary) return;
    this.hashing = undefined;
    if (outcome.ok) {
      this.hashes = outcome.value;
      this.hashed = file;
    } else if (outcome.error.code !== 'CANCELLED') {
      this.failure = outcome.error;
    }
    this.changed();
  }

  /** Stops the hashing under way; the button offers it again. */
  cancelHashes(): void {
    if (this.hashing) this.engine.cancelHashing();
  }

  /** Forgets a kept symbol file (the open image keeps the table it has read). */
  async forgetSymbols(key: string): Promise<void> {
    const outcome = await settle(() => this.engine.forgetSymbols(key));
    if (!outcome.ok) this.failure = outcome.error;
    await this.listKeptSymbols();
  }

  /** A kept PDB's table as ISF text; a failure is shown and gives undefined. */
  async isfFile(key: string): Promise<{ fileName: string; text: string } | undefined> {
    const outcome = await settle(() => this.engine.isfFile(key));
    if (outcome.ok) return outcome.value;
    this.failure = outcome.error;
    this.changed();
    return undefined;
  }

  private async listKeptSymbols(): Promise<void> {
    const kept = await settle(() => this.engine.keptSymbols());
    // Without IndexedDB (a private window) nothing is kept: an empty list says so.
    this.keptSymbols = kept.ok ? kept.value : [];
    this.changed();
  }

  dismissFailure(): void {
    this.failure = undefined;
    this.changed();
  }

  private fail(failure: EngineFailure, retry?: () => Promise<void>): void {
    this.failure = failure;
    if (failure.code === 'SYMBOLS_MISSING' && failure.missingSymbols && retry) this.needSymbols(failure.missingSymbols, retry);
  }

  private needSymbols(missing: MissingSymbols, retry: () => Promise<void>): void {
    this.missingSymbols = missing;
    this.retry = retry;
  }

  private clearFailure(): void {
    this.failure = undefined;
    this.missingSymbols = undefined;
    this.retry = undefined;
  }

  /** Lists the third-party plugins for the open image after memscope's own. */
  private async listThirdParty(image: OpenImage, list: Promise<Outcome<ThirdPartyList>>): Promise<void> {
    const listed = await settle(() => list);
    // Another image may have been opened meanwhile.
    if (this.image !== image) return;
    if (listed.ok) {
      this.plugins = [...this.plugins.filter((p) => p.origin === undefined), ...listed.value.plugins];
      this.brokenPlugins = listed.value.broken;
    } else {
      this.failure = listed.error;
    }
    this.changed();
  }

  /** The plugin sandbox has not answered for `ms`: shown with the running third-party job, once per second. */
  private silence(ms: number): void {
    const job = this.job;
    if (job?.responseLimitMs === undefined) return;
    const shown = Math.floor(job.silentMs / 1000);
    job.silentMs = ms;
    if (Math.floor(ms / 1000) !== shown) this.changed();
  }

  private repaintSoon(): void {
    this.repaintTimer ??= setTimeout(() => {
      this.repaintTimer = undefined;
      this.changed();
    }, STREAM_REPAINT_MS);
  }
}

const CANCELLED: Outcome<never> = { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } };

/** Runs an engine call; a rejection (worker crashed, sample fetch failed) becomes a failure like any other. */
async function settle<T>(call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await call();
  } catch (e) {
    const failure: EngineFailure = isMemscopeError(e)
      ? { code: e.code, message: e.message }
      : { code: 'READ_FAILED', message: `The analysis engine failed: ${e instanceof Error ? e.message : String(e)}` };
    return { ok: false, error: failure };
  }
}

/**
 * What an image's runs are kept under: the image (its fingerprint) read with these symbols — runs made on a table
 * found in the image, or before a symbol file arrived, are not shown as if made with it.
 */
function runsKey(summary: ImageSummary): string {
  const symbols = summary.missingSymbols ? `without ${summary.symbolKey ?? 'symbols'}` : (summary.symbolKey ?? '');
  return `${summary.fingerprint}|${symbols}`;
}

/** Whether two option sets ask the same (key order aside). */
