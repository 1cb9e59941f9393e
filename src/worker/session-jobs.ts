import type { RunOutput } from '../browser/opfs-output-dir.ts';
import type { JobProgress, Outcome, PluginJobs, RunSummary } from '../engine/engine-api.ts';
import type { Session } from '../engine/session.ts';
import type { Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { JobRunner } from './job-runner.ts';

/** Plugin runs on the session a worker has open: what the engine worker and the plugin sandbox share. */
export abstract class SessionJobs implements PluginJobs {
  protected session: Session | undefined;
  private readonly jobs = new JobRunner();

  async columns(plugin: string, options: PluginOptions): Promise<Column[]> {
    return this.session?.columns(plugin, options) ?? [];
  }

  run(
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
  ): Promise<Outcome<RunSummary>> {
    return this.jobs.run(this.session, jobId, plugin, options, onRows, onProgress, this.output(jobId));
  }

  /** Where run `jobId` writes its plugin's files; none here (the worker writes none). */
  protected output(_jobId: string): RunOutput | undefined {
    return undefined;
  }

  cancel(jobId: string): void {
    this.jobs.cancel(jobId);
  }

  /** Cancels every run and closes the open session (both at once: the session is detached before the first await). */
  protected async closeSession(): Promise<void> {
    this.jobs.cancelAll();
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }
}
