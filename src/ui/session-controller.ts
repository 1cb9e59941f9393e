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
import { fetchSample } from './sample-loader.ts';
import type { BrokenModule, SandboxImage, ThirdPartyList, ThirdPartyPlugins } from './third-party-plugins.ts';

export interface ResultSet {
  readonly plugin: PluginInfo;
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
  summary: ImageSummary | undefined;
  /** Plugins that apply to the opened image's OS, each with what it lacks to run there. */
  plugins: readonly ImagePluginInfo[] = [];
  job: RunningJob | undefined;
  result: ResultSet | undefined;
  failure: EngineFailure | undefined;
  missingSymbols: MissingSymbols | undefined;
  /** The symbol files this browser keeps for later sessions. */
  keptSymbols: readonly KeptSymbols[] = [];
  /** The open image's file hashes, once computed; `hashing` while they are. */
  hashes: ImageHashes | undefined;
  hashing: { done: number; total: number } | undefined;
  /** Stored third-party modules that cannot be used now (listed so that they can be removed). */
  brokenPlugins: readonly BrokenModule[] = [];
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

  constructor(
    private readonly engine: EngineApi,
    private readonly changed: () => void,
    /** Without it (tests of the page alone) third-party plugins are not offered. */
    readonly thirdParty?: ThirdPartyPlugins,
  ) {
    if (thirdParty) thirdParty.onSilence = (ms) => this.silence(ms);
  }

  async open(file: Blob, fileName: string): Promise<void> {
    this.cancel();
    this.fileName = fileName;
    this.opening = true;
    this.summary = undefined;
    this.hashes = undefined;
    this.hashing = undefined;
    this.plugins = [];
    this.brokenPlugins = [];
    this.image = undefined;
    this.result = undefined;
    this.notice = undefined;
    this.clearFailure();
    this.changed();
    const outcome = await settle(async () => {
      const opened = await this.engine.open(file, fileName);
      return opened.ok ? ({ ok: true, value: { summary: opened.value, plugins: await this.engine.plugins() } } as const) : opened;
    });
    const reopen = () => this.open(file, fileName);
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
    this.changed();
    if (outcome.ok) this.showProcessTree();
    await this.listKeptSymbols();
    if (outcome.ok && this.thirdParty) {
      const image = { file, fileName };
      this.image = image;
      await this.listThirdParty(image, this.thirdParty.open({ ...image, seed: () => this.engine.sessionSeed() }));
    }
  }

  /** First sight of an opened image: its process tree, run without a click (any run the user asks for replaces it). */
  private showProcessTree(): void {
    const tree = this.plugins.find((p) => p.name === `${this.summary?.os}.pstree` && p.unmet.length === 0);
    if (tree) void this.run(tree.name, {}, { auto: true });
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
      this.cancel();
      await this.running;
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
    const result: ResultSet = { plugin: info, columns: info.columns, rows: [], version: 0, status: 'running', warnings: [] };
    this.result = result;
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
    const ran = await settle(() =>
      host.run(
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
    const pending = this.pendingPlugins.splice(0);
    if (pending.length > 0) await this.addPlugins(pending);
  }

  cancel(): void {
    if (this.job) void this.jobHost?.cancel(this.job.id);
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
    this.clearFailure();
    this.changed();
    // Every retry reopens the image first, which fetches the plugin list again: plugins that lacked these symbols become runnable.
    if (retry) await retry();
    else await this.listKeptSymbols();
  }

  /** Computes the open image's SHA-256 and MD5 in the engine worker (the whole file, once), with progress. */
  async computeHashes(): Promise<void> {
    if (this.hashing || !this.summary) return;
    const fileName = this.fileName;
    this.hashing = { done: 0, total: this.summary.fileSize };
    this.changed();
    const outcome = await settle(() =>
      this.engine.hashImage(
        proxy((done: number, total: number) => {
          if (this.hashing) this.hashing = { done, total };
          this.repaintSoon();
        }),
      ),
    );
    // Another image may have been opened meanwhile: its hashes are not these.
    if (this.fileName !== fileName) return;
    this.hashing = undefined;
    if (outcome.ok) this.hashes = outcome.value;
    else this.failure = outcome.error;
    this.changed();
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
