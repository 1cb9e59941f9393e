import { columnsFor, pluginOs, type PluginDefinition } from '../plugins/plugin-definition.ts';
import type { PluginInfo } from './engine-api.ts';

/** A plugin's declaration as plain data (for the page and `memscope plugins --json`): columns with default options. */
export function pluginInfo(p: PluginDefinition): PluginInfo {
  return {
    name: p.name,
    version: p.version,
    description: p.description,
    os: pluginOs(p),
    requirements: p.requirements,
    columns: columnsFor(p, {}),
    options: p.options,
    tree: p.tree,
    ...(p.origin !== undefined ? { origin: p.origin } : {}),
    ...(p.domainColumn !== undefined ? { domainColumn: p.domainColumn } : {}),
  };
}
