/**
 * The fuzzer's command line (`npm run fuzz -- ...`):
 *   --format F (repeatable; default: every format)   raw, elf, lime, kdump, crashdump, aff4
 *   --plugin P (repeatable) | --all                   plugins to run (default: a cheap one per input; --all: every
 *                                                     plugin for the input's OS, and every format unless named)
 *   --seconds N (default 60)  --seed N (default 1)    the campaign's time (what the unmutated runs leave is shared by the inputs), and its seed
 *   --runs N                                          at most N mutated runs per input
 *   --findings DIR (default .cache/fuzz/findings)     where failing inputs are kept (minimised unless --no-minimise)
 *   --replay FILE                                     runs one kept finding again and prints its verdict
 * Exit status 1 when a hang, crash or duplicate-rows verdict was met (or replayed), else 0.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FINDINGS, jobFor, runCampaign } from './campaign.ts';
import { loadFinding } from './findings.ts';
import { FORMATS, inputLabelled, type FuzzFormat } from './inputs.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { reportOf, runInChild, timeLimitMs } from './runner.ts';
import { summaryText } from './summary.ts';
import { isFinding, judge } from './verdict.ts';

const { values } = parseArgs({
  options: {
    format: { type: 'string', multiple: true },
    plugin: { type: 'string', multiple: true },
    all: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string' },
    findings: { type: 'string', default: DEFAULT_FINDINGS },
    'no-minimise': { type: 'boolean', default: false },
    replay: { type: 'string' },
  },
});

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: ${text} is not a whole number`);
  return n;
}

async function replay(path: string): Promise<number> {
  const finding = loadFinding(path);
  const input = await inputLabelled(finding.format, finding.input);
  if (!input) throw new Error(`${path}: the input "${finding.input}" is not here (its test data is missing)`);
  const record = await runInChild(jobFor(input, finding.plugin, finding.patches), timeLimitMs(input.size), true);
  const verdict = judge(record.end, 0);
  // An internal error's stack, or what a dying child said, in full.
  if (verdict.kind === 'crash') console.log(reportOf(record.end) ?? '');
  console.log(
    `${finding.input} ${finding.plugin}, ${finding.patches.length} patches: ${verdict.kind}: ${verdict.detail} (${record.ms} ms, peak RSS ${Math.round(record.peakRssKb / 1024)} MiB)`,
  );
  console.log(`kept as: ${finding.verdict.kind}: ${finding.verdict.detail}`);
  return isFinding(verdict) ? 1 : 0;
}

async function main(): Promise<number> {
  if (values.replay) return replay(values.replay);
  const formats = (values.format ?? [...FORMATS]) as FuzzFormat[];
  const unknown = formats.find((f) => !FORMATS.includes(f));
  if (unknown) throw new Error(`--format: ${unknown} is none of ${FORMATS.join(', ')}`);
  const noPlugin = values.plugin?.find((p) => !builtinPlugins.some((b) => b.name === p));
  if (noPlugin) throw new Error(`--plugin: no plugin ${noPlugin} (npx memscope plugins lists them)`);
  const { tallies, skipped } = await runCampaign({
    formats,
    plugins: values.all && !values.plugin ? 'all' : values.plugin,
    seed: integer('seed', values.seed)!,
    seconds: integer('seconds', values.seconds)!,
    maxRuns: integer('runs', values.runs),
    findingsDir: values.findings,
    minimise: !values['no-minimise'],
    log: (line) => console.log(line),
  });
  console.log(summaryText(tallies, skipped));
  return tallies.some((t) => t.findings.length > 0) ? 1 : 0;
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
  return 2;
});
