import { proxy } from 'comlink';
import type { PluginJobs } from '../engine/engine-api.ts';
import type { PluginRow } from '../plugins/plugin.ts';
import type { SectionRunner } from './process-view.ts';

/** The process view's and the registry browser's runs, in the engine worker beside the page's own run (each has its job id). */
export function engineSectionRunner(engine: PluginJobs): SectionRunner {
  let next = 0;
  return {
    async run(plugin, options, signal, keep) {
      const id = `process-view-${++next}`;
      const rows: PluginRow[] = [];
      const cancel = () => engine.cancel(id);
      signal.addEventListener('abort', cancel);
      try {
        const columns = await engine.columns(plugin, options);
        const outcome = await engine.run(
          id,
          plugin,
          options,
          proxy((batch: PluginRow[]) => void rows.push(...(keep ? batch.filter((row) => keep(row, columns)) : batch))),
          proxy(() => {}),
        );
        return outcome.ok ? { columns, rows, warnings: outcome.value.warnings } : { error: outcome.error.message };
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
  };
}
