import { describeInternal, isMemscopeError, MemscopeError } from '../errors.ts';
import { columnsFor, type PluginDefinition } from './plugin-definition.ts';
import { isRunWarning, validatePlugin } from './plugin-validation.ts';
import { rowProblem } from './row-check.ts';

/**
 * A plugin from outside memscope as the engine offers it: its declaration validated, its rows checked against its
 * columns, and its own failures reported as PLUGIN_FAILED naming it and `origin` (not as a bug in memscope).
 * Errors the engine raised for it (missing symbols, cancelled, ...) pass through unchanged.
 */
export function thirdPartyPlugin(exported: unknown, origin: string): PluginDefinition {
  const definition = validatePlugin(exported, origin);
  const failed = (why: string) =>
    new MemscopeError('PLUGIN_FAILED', `third-party plugin ${definition.name} ${why} — report it to the plugin's author`, origin);
  return {
    ...definition,
    origin,
    async *run(ctx) {
      let count = 0;
      try {
        const columns = columnsFor(definition, ctx.options);
        const warn = (w: unknown) => {
          if (!isRunWarning(w))
            throw failed(
              `called ctx.warn with ${JSON.stringify(w) ?? String(w)}: it takes { code: SMEAR | UNREADABLE | LIMIT | UNSUPPORTED, message, address?: "0x…" }`,
            );
          ctx.warn(w);
        };
        for await (const row of definition.run({ ...ctx, warn })) {
          const problem = rowProblem(columns, row);
          if (problem) throw failed(`yielded a bad row (row ${count + 1}): ${problem}`);
          count++;
          yield row;
        }
      } catch (e) {
        if (isMemscopeError(e)) throw e;
        throw failed(`failed after ${count} rows: ${describeInternal(e).message}`);
      }
    },
  };
}

/** What a plugin module brought: the plugins it offers, and one line naming the module per plugin it cannot. */
export interface ModulePlugins {
  readonly plugins: readonly PluginDefinition[];
  readonly problems: readonly string[];
}

/**
 * The plugins an imported third-party module exports — its default export (one plugin) or `plugins` (several) —
 * each offered by thirdPartyPlugin. A name in `taken` (memscope's own, an earlier module's) is a problem; the names
 * offered are added to `taken`.
 */
export function modulePlugins(module: Readonly<Record<string, unknown>>, origin: string, taken: Set<string>): ModulePlugins {
  const plugins: PluginDefinition[] = [];
  const problems: string[] = [];
  const exported = module['default'] ?? module['plugins'];
  for (const candidate of Array.isArray(exported) ? exported : [exported]) {
    try {
      const plugin = thirdPartyPlugin(candidate, origin);
      if (taken.has(plugin.name)) throw new MemscopeError('BAD_PLUGIN', `a plugin named ${plugin.name} is already loaded`, origin);
      taken.add(plugin.name);
      plugins.push(plugin);
    } catch (e) {
      if (!isMemscopeError(e)) throw e;
      problems.push(e.message);
    }
  }
  return { plugins, problems };
}
