import type { ImagePluginInfo, ImageSummary } from './engine-api.ts';
import type { PluginContext } from '../plugins/plugin-definition.ts';
import type { CountedWarning, PluginOptions, PluginRow } from '../plugins/plugin.ts';

export interface RunControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
  /** Where the host keeps the files the run's plugins write (ctx.output); absent: it writes none. */
  readonly output?: PluginContext['output'];
}

/** One plugin run, its own warnings kept apart from any other run's (runs may interleave on one session). */
export interface PluginRun extends AsyncIterable<PluginRow> {
  readonly warnings: readonly CountedWarning[];
}

/** An opened image with its OS context, built once and shared by every plugin run (engine worker and CLI). */
export interface AnalysisSession {
  readonly summary: ImageSummary;
  plugins(): ImagePluginInfo[];
  /** One run: its rows stream from the handle, its own warnings are on it (all of them once the rows are read). */
  run(plugin: string, options: PluginOptions, control: RunControl): PluginRun;
  close(): Promise<void>;
}
