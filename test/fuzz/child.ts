/**
 * A fuzz run in its own process (started by runner.ts): opens the input with the job's patches laid over it, runs one
 * plugin as the CLI does, renders every row (as JSONL, to exercise the renderer too) and answers over IPC with the
 * row counts, or with the error line and exit status the CLI would give. Dying any other way is the runner's crash.
 */
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { reportFailure } from '../../src/cli/report-failure.ts';
import { openSession } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { columnsFor } from '../../src/plugins/plugin-definition.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { jsonlRow } from '../../src/render/jsonl.ts';
import { fromHex, type ChildResult, type Job } from './job.ts';
import { PatchedSource } from './patched-source.ts';

const maxRssKb = (): number => process.resourceUsage().maxRSS;

async function run(job: Job): Promise<ChildResult> {
  const plugin = builtinPlugins.find((p) => p.name === job.plugin);
  if (!plugin) throw new Error(`no plugin ${job.plugin}`);
  const columns = columnsFor(plugin, job.options);
  const env = await createNodeEnv({ symbolDirs: [...job.symbolDirs], cache: false, scanWorkers: 0 });
  const patches = job.patches.map((p) => ({ offset: p.offset, bytes: fromHex(p.hex) }));
  const source = new PatchedSource(await NodeFileSource.open(job.path), patches);
  const session = await openSession(source, env);
  try {
    const rows = session.run(job.plugin, job.options, {});
    const seen = new Set<string>();
    let count = 0;
    let repeated = 0;
    for await (const row of rows) {
      const line = jsonlRow(columns, row);
      count++;
      if (seen.has(line)) repeated++;
      else seen.add(line);
    }
    return { kind: 'rows', rows: count, repeated, warnings: rows.warnings.length + session.summary.warnings.length, maxRssKb: maxRssKb() };
  } finally {
    await session.close();
    await env.symbols.close?.();
  }
}

process.once('message', (job: Job) => {
  void run(job)
    .catch((e: unknown): ChildResult => {
      let line = '';
      const exitCode = reportFailure(e, true, { write: (text: string) => (line += text) });
      return { kind: 'error', exitCode, line: line.trimEnd(), maxRssKb: maxRssKb() };
    })
    .then((result) => process.send!(result, () => process.exit(0)));
});
