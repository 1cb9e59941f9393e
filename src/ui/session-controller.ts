import { proxy } from 'comlink';
import type {
  EngineApi,
  EngineFailure,
  ImagePluginInfo,
  ImageSummary,
  JobProgress,
  MissingSymbols,
  Outcome,
  PluginInfo,
  RunSummary,
} from '../engine/engine-api.ts';
import { isMemscopeError } from '../errors.ts';
import type { Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { fetchSample } from './sample-loader.ts';

export interface ResultSet {
  readonly plugin: PluginInfo;
  /** The columns for the options of this run. */
  readonly columns: readonly Column[];
  /** Appended in place while the job streams; `version` counts the appends. */
  readonly rows: PluginRow[];
  version: number;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  summary?: RunSummary;
}

export interface RunningJob {
  readonly id: string;
  readonly plugin: string;
  progress: JobProgress;
}

/** While rows stream in, the page re-renders at most this often. */
const STREAM_REPAINT_MS = 200;

/**
 * What the page shows and does, apart from how it looks: opening an image, running plugins, streaming
 * rows, cancelling, and adding symbol files then retrying whatever needed them.
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
  /** What to do again once the missing symbols are added. */
  private retry: (() => Promise<void>) | undefined;
  private reopen: (() => Promise<void>) | undefined;
  private jobCount = 0;
  private repaintTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly engine: EngineApi,
    private readonly changed: () => void,
  ) {}

  async open(file: Blob, fileName: string): Promise<void> {
    this.cancel();
    this.fileName = fileName;
    this.opening = true;
    this.summary = undefined;
    this.plugins = [];
    this.result = undefined;
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

  async run(plugin: string, options: PluginOptions): Promise<void> {
    const info = this.plugins.find((p) => p.name === plugin);
    if (!info || this.job) return;
    const job: RunningJob = { id: `job-${++this.jobCount}`, plugin, progress: { done: 0, total: 0, stage: 'Starting' } };
    this.job = job;
    const columns = await this.engine.columns(plugin, options).catch(() => info.columns);
    const result: ResultSet = { plugin: info, columns, rows: [], version: 0, status: 'running' };
    this.result = result;
    this.failure = undefined;
    this.changed();
    const outcome = await settle(() =>
      this.engine.run(
        job.id,
        plugin,
        options,
        proxy((rows: PluginRow[]) => {
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
    clearTimeout(this.repaintTimer);
    this.repaintTimer = undefined;
    this.job = undefined;
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
  }

  cancel(): void {
    if (this.job) void this.engine.cancel(this.job.id);
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
    await retry?.();
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
