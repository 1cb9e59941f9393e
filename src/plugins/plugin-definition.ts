import type { ScanService } from '../engine/scan-service.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { KernelAccessors, OsName } from '../os/registry.ts';
import type { PluginDeclaration, PluginRecord, Requirement as PublishedRequirement } from './api.ts';
import type { Column, PluginOptions, RunWarning } from './plugin.ts';

export type { OsName, PluginRecord };

/**
 * What a plugin run gets: the image's layers, its options, progress and warnings, and one accessor per registered OS
 * (KernelAccessors: ctx.windows(), ctx.linux()) giving that OS's kernel context, which throws (OS_NOT_FOUND,
 * SYMBOLS_MISSING, SYMBOLS_INVALID) when the image has none.
 */
export interface PluginContext extends KernelAccessors {
  readonly physical: PhysicalLayer;
  readonly scanner: ScanService;
  readonly options: PluginOptions;
  readonly signal?: AbortSignal;
  /**
   * Rows of another plugin (the same image, these options), each cell keyed by its column name. The plugin must
   * be among this one's requirements; its warnings join this run's.
   */
  runPlugin(name: string, options?: PluginOptions): AsyncIterable<PluginRecord>;
  progress(done: number, total: number, stage: string): void;
  /** Reports a problem that costs rows or values but not the run; identical warnings are counted, not repeated. */
  warn(warning: RunWarning): void;
}

/** A requirement whose kernel `os` is a registered OS id (see the published Requirement in api.ts). */
export type Requirement = PublishedRequirement<OsName>;

/** A plugin as the engine runs it: the published declaration, with the engine's richer context. */
export interface PluginDefinition extends PluginDeclaration<PluginContext, OsName> {
  /** Where a third-party plugin was loaded from (file or module name); unset for memscope's own. */
  readonly origin?: string;
}

export function columnsFor(plugin: PluginDefinition, options: PluginOptions): readonly Column[] {
  return typeof plugin.columns === 'function' ? plugin.columns(options) : plugin.columns;
}

/** The OS a plugin is for (from its kernel requirement), or 'any'. */
export function pluginOs(plugin: PluginDefinition): OsName | 'any' {
  for (const r of plugin.requirements) if (r.kind === 'kernel') return r.os;
  return 'any';
}
