import { releaseProxy } from 'comlink';
import type { RunOutput } from '../browser/opfs-output-dir.ts';
import type { JobProgress, Outcome, RunSummary } from '../engine/engine-api.ts';
import { toFailure } from '../engine/failure.ts';
import type { AnalysisSession, PluginRun } from '../engine/session-api.ts';
import { MemscopeError } from '../errors.ts';
import type { PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { JobStream } from './job-stream.ts';

/** A worker's plugin runs, each cancellable by its id, their rows and progress streamed to the page. */
export class JobRunner {
  private readonly jobs = new Map<string, AbortController>();

  /** `output`: where the run's plugin writes files (none: it writes none). */
  async run(
    session: AnalysisSession | undefined,
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
    output?: RunOutput,
  ): Promise<Outcome<RunSummary>> {
    const abort = new AbortController();
    const stream = new JobStream(onRows, onProgress);
    const started = performance.now();
    this.jobs.set(jobId, abort);
    let run: PluginRun | undefined;
    try {
      const outcome = await settle(async () => {
        if (!session) throw new MemscopeError('BAD_REQUEST', 'open an image first');
        const control = {
          signal: abort.signal,
          onProgress: (done: number, total: number, stage: string) => stream.progress(done, total, stage),
          output: output?.create,
        };
        run = session.run(plugin, options, control);
        for await (const row of run) {
          // A row the plugin found is kept, even the one it yields as the job is cancelled.
          await stream.add(row);
          abort.signal.throwIfAborted();
        }
        await output?.close();
        const files = output?.files() ?? [];
        return { rowCount: stream.count, warnings: run.warnings, elapsedMs: performance.now() - started, ...(files.length > 0 && { files }) };
      }, abort.signal);
      // A run that stopped keeps what it warned about: it explains the rows that did arrive.
      const warnings = run?.warnings ?? [];
      return outcome.ok || warnings.length === 0 ? outcome : { ok: false, error: { ...outcome.error, warnings } };
    } finally {
      this.jobs.delete(jobId);
      await output?.close().catch(() => undefined);
      await stream.close().catch(() => undefined);
      release(onRows);
      release(onProgress);
    }
  }

  cancel(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) job.abort();
  }
}

/** Work of one kind the page starts and may cancel (hashing the file, exporting the image): a new start cancels the last. */
export class SoloJob {
  private running: AbortController | undefined;

  /** Runs `work` as settle does; `callback` (the page's progress proxy) is released when it ends. */
  async run<T>(work: (signal: AbortSignal) => Promise<T>, callback: object): Promise<Outcome<T>> {
    this.running?.abort();
    const abort = new AbortController();
    this.running = abort;
    try {
      return await settle(() => work(abort.signal), abort.signal);
    } finally {
      if (this.running === abort) this.running = undefined;
      release(callback);
    }
  }

  cancel(): void {
    this.running?.abort();
  }
}

/** Runs worker work; any throw becomes failure data (comlink would drop a MemscopeError's fields). */
export async function settle<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: signal?.aborted ? { code: 'CANCELLED', message: 'Cancelled.' } : toFailure(e) };
  }
}

/** Closes the message port of a callback the page passed with comlink.proxy (no-op for plain functions). */
export function release(callback: object): void {
  (callback as { [releaseProxy]?: () => void })[releaseProxy]?.();
}
