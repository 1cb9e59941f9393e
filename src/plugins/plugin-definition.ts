import type { ScanService } from '../engine/scan-service.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { LinuxKernel } from '../os/linux/linux-kernel.ts';
import type { WindowsKernel } from '../os/windows/windows-kernel.ts';
import type { Column, OptionSpec, PluginOptions, PluginRow } from './plugin.ts';

/** What a plugin run gets: the image's layers and OS context, its options, progress and warnings. */
export interface PluginContext {
  readonly physical: PhysicalLayer;
  readonly scanner: ScanService;
  readonly options: PluginOptions;
  readonly signal?: AbortSignal;
  /** The Windows kernel context; throws (OS_NOT_FOUND / SYMBOLS_MISSING) when the image has none. */
  windows(): Promise<WindowsKernel>;
  /** The Linux kernel context; throws (OS_NOT_FOUND / SYMBOLS_MISSING) when the image has none. */
  linux(): Promise<LinuxKernel>;
  progress(done: number, total: number, stage: string): void;
  warn(message: string): void;
}

/** A plugin is a declaration plus one async generator of rows. */
export interface PluginDefinition {
  readonly name: string;
  /** One line: the help text. */
  readonly description: string;
  readonly os: 'windows' | 'linux' | 'any';
  readonly columns: readonly Column[] | ((options: PluginOptions) => readonly Column[]);
  readonly options: readonly OptionSpec[];
  readonly tree: boolean;
  run(ctx: PluginContext): AsyncIterable<PluginRow>;
}

export function columnsFor(plugin: PluginDefinition, options: PluginOptions): readonly Column[] {
  return typeof plugin.columns === 'function' ? plugin.columns(options) : plugin.columns;
}
