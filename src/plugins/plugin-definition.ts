import type { ScanService } from '../engine/scan-service.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { LinuxKernel } from '../os/linux/linux-kernel.ts';
import type { WindowsKernel } from '../os/windows/windows-kernel.ts';
import type { Cell, Column, OptionSpec, PluginOptions, PluginRow, RunWarning } from './plugin.ts';

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
  /**
   * Rows of another plugin (the same image, these options), each cell keyed by its column name. The plugin must
   * be among this one's requirements; its warnings join this run's.
   */
  runPlugin(name: string, options?: PluginOptions): AsyncIterable<PluginRecord>;
  progress(done: number, total: number, stage: string): void;
  /** Reports a problem that costs rows or values but not the run; identical warnings are counted, not repeated. */
  warn(warning: RunWarning): void;
}

export type OsName = 'windows' | 'linux';

/** What a plugin needs before it can run: the engine checks every one first and names all that are unmet. */
export type Requirement =
  /** The image's OS kernel with its symbol table (ctx.windows() / ctx.linux()). */
  | { readonly kind: 'kernel'; readonly os: OsName }
  /** Another plugin whose rows this one reads with ctx.runPlugin; `version` is a semver range ("^1.0.0"). */
  | { readonly kind: 'plugin'; readonly name: string; readonly version: string };

/** A row of another plugin as ctx.runPlugin hands it over. */
export interface PluginRecord {
  readonly depth: number;
  readonly cells: Readonly<Record<string, Cell>>;
}

/** A plugin is a declaration plus one async generator of rows. */
export interface PluginDefinition {
  /** Volatility 3's name where it has the plugin ("windows.pslist"). */
  readonly name: string;
  /** Semantic version of the rows and options: a change others may rely on bumps the major. */
  readonly version: string;
  /** One line: the help text. */
  readonly description: string;
  readonly requirements: readonly Requirement[];
  readonly columns: readonly Column[] | ((options: PluginOptions) => readonly Column[]);
  readonly options: readonly OptionSpec[];
  readonly tree: boolean;
  /** Where a third-party plugin was loaded from (file or module name); unset for memscope's own. */
  readonly origin?: string;
  run(ctx: PluginContext): AsyncIterable<PluginRow>;
}

export function columnsFor(plugin: PluginDefinition, options: PluginOptions): readonly Column[] {
  return typeof plugin.columns === 'function' ? plugin.columns(options) : plugin.columns;
}

/** The OS a plugin is for (from its kernel requirement), or 'any'. */
export function pluginOs(plugin: PluginDefinition): OsName | 'any' {
  for (const r of plugin.requirements) if (r.kind === 'kernel') return r.os;
  return 'any';
}
