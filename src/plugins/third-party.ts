import { describeInternal, isMemscopeError, MemscopeError } from '../errors.ts';
import { columnsFor, type PluginDefinition } from './plugin-definition.ts';
import { isRunWarning, rowProblem, validatePlugin } from './plugin-validation.ts';

/**
 * A plugin from outside memscope as the engine offers it: its declaration validated, its rows checked against its
 * columns, and its own failures reported as PLUGIN_FAILED naming it and `origin` (not as a bug in memscope).
 * Errors the engine raised for it (missing symbols, cancelled, ...) pass through unchanged.
 */
export function thirdPartyPlugin(exported: unknown, origin: string): PluginDefinition {
  const definition = validatePlugin(exported, origin);
  const failed = (why: string) => new MemscopeError('PLUGIN_FAILED', `third-party plugin ${definition.name} ${why} — report it to the plugin's author`, origin);
  return {
    ...definition,
    origin,
    async *run(ctx) {
      let count = 0;
      try {
        const columns = columnsFor(definition, ctx.options);
        const warn = (w: unknown) => {
          if (!isRunWarning(w)) throw failed(`called ctx.warn with ${JSON.stringify(w) ?? String(w)}: it takes { code: SMEAR | UNREADABLE | LIMIT | UNSUPPORTED, message, address?: "0x…" }`);
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
