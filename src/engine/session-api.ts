import type { ImageSummary, PluginInfo } from './engine-api.ts';
import type { PluginOptions, PluginRow } from '../plugins/plugin.ts';

export interface RunControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

/** An opened image with its OS context, built once and shared by every plugin run (engine worker and CLI). */
export interface AnalysisSession {
  readonly summary: ImageSummary;
  plugins(): PluginInfo[];
  /** Streams rows; warnings collected during the run are in `warnings` afterwards. */
  run(plugin: string, options: PluginOptions, control: RunControl): AsyncIterable<PluginRow>;
  readonly warnings: readonly string[];
  close(): Promise<void>;
}
