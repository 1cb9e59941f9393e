import type { OsName } from '../os/registry.ts';
import type { PluginContext, PluginDefinition as PublishedDefinition, PluginRecord, Requirement } from './api.ts';
import type { Column, PluginOptions } from './plugin.ts';

export type { OsName, PluginContext, PluginRecord, Requirement };

/** A plugin as the engine holds it: the published definition, and where it came from. */
export interface PluginDefinition extends PublishedDefinition {
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
