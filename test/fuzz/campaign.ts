import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FUZZ_CACHE, prepareInputs, type FuzzFormat, type FuzzInput } from './inputs.ts';
import { saveFinding } from './findings.ts';
import { toHex, type HexPatch, type Job } from './job.ts';
import { minimise } from './minimise.ts';
import { mutation, runSeed, type OriginalBytes } from './mutate.ts';
import { cheapPlugin, optionsFor, pluginsFor, appliesTo } from './plugins.ts';
import { reportOf, runInChild, timeLimitMs, type RunRecord } from './runner.ts';
import { InputTally, tallyLine } from './summary.ts';
import { isFinding, judge, type Verdict } from './verdict.ts';

export const DEFAULT_FINDINGS = join(FUZZ_CACHE, 'findings');
/** A run's time bound is at least this many times the unmutated run's. */
const BASELINE_FACTOR = 5;
/** Runs the minimiser may spend on one finding (hangs cost their whole time limit each, so fewer). */
const MINIMISE_TRIES = 24;
const MINIMISE_TRIES_HANG = 4;
/** A progress line every this many runs. */
const PROGRESS_EVERY = 20;

export interface CampaignOptions {
  readonly formats: readonly FuzzFormat[];
  /** Named plugins, or 'all' (every plugin for each input's OS), or undefined (a cheap one per input). */
  readonly plugins: readonly string[] | 'all' | undefined;
  readonly seed: number;
  /**
   * The whole campaign's time: what the unmutated runs leave of it is shared evenly by the inputs' mutated runs, each
   * plugin getting at least one.
   */
  readonly seconds: number;
  /** At most this many mutated runs per input (the CI campaign's bound). */
  readonly maxRuns?: number;
  readonly findingsDir: string;
  readonly minimise: boolean;
  readonly log: (line: string) => void;
}

export interface CampaignResult {
  readonly tallies: InputTally[];
  readonly skipped: string[];
}

/** The job of one run: the input, one plugin, the patches in their saved form. */
export function jobFor(input: FuzzInput, plugin: string, patches: readonly HexPatch[]): Job {
  return { path: input.path, symbolDirs: input.symbolDirs, plugin, options: optionsFor(plugin), patches };
}

/**
 * Runs the seeded campaign: every plugin once unmutated on each input first (those runs set the others' bounds), then
 * per input mutated runs round its plugins until its share of the time left is up.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const inputs: FuzzInput[] = [];
  const skipped: string[] = [];
  for (const format of options.formats) {
    for (const prepared of await prepareInputs(format)) {
      if ('skip' in prepared) skipped.push(`${format}: ${prepared.skip}`);
      else inputs.push(prepared.input);
    }
  }
  const planned: { input: FuzzInput; plugins: string[]; baselines: Baselines }[] = [];
  for (const input of inputs) {
    const plugins = options.plugins === 'all' ? pluginsFor(input) : (options.plugins ?? [cheapPlugin(input)]).filter((p) => appliesTo(p, input));
    if (plugins.length === 0) skipped.push(`${input.label}: no named plugin applies to its OS`);
    else planned.push({ input, plugins, baselines: await baselinesOf(input, plugins, options) });
  }
  const tallies: InputTally[] = [];
  const share = Math.max(0, options.seconds * 1000 - (Date.now() - started)) / Math.max(1, planned.length);
  for (const { input, plugins, baselines } of planned) tallies.push(await fuzzInput(input, plugins, baselines, Date.now() + share, options));
  return { tallies, skipped };
}

/** A plugin's unmutated run on an input: its repeated rows and the time bound of its mutated runs. */
interface Baseline {
  readonly repeated: number;
  readonly limitMs: number;
}
type Baselines = ReadonlyMap<string, Baseline>;

async function baselinesOf(input: FuzzInput, plugins: readonly string[], options: CampaignOptions): Promise<Baselines> {
  options.log(`${input.label}: ${input.targets.length} targets, plugins ${plugins.join(' ')}`);
  const baselines = new Map<string, Baseline>();
  for (const plugin of plugins) {
    const record = await runInChild(jobFor(input, plugin, []), timeLimitMs(input.size));
    const verdict = judge(record.end, 0);
    // The unmutated input must at least answer: a child that cannot start is the harness's failure, not a finding.
    if (record.end.kind === 'died') throw new Error(`the unmutated run of ${plugin} on ${input.label} died: ${record.end.stderr}`);
    const repeated = record.end.kind === 'answered' && record.end.result.kind === 'rows' ? record.end.result.repeated : 0;
    baselines.set(plugin, { repeated, limitMs: timeLimitMs(input.size, BASELINE_FACTOR * record.ms) });
    options.log(`  unmutated ${plugin}: ${verdict.kind} (${verdict.detail}) in ${record.ms} ms`);
  }
  return baselines;
}

async function fuzzInput(
  input: FuzzInput,
  plugins: readonly string[],
  baselines: Baselines,
  deadline: number,
  options: CampaignOptions,
): Promise<InputTally> {
  const tally = new InputTally(input.label);
  const fd = openSync(input.path, 'r');
  const original = (offset: number, length: number): Uint8Array => {
    const bytes = new Uint8Array(length);
    return bytes.subarray(0, readSync(fd, bytes, 0, length, offset));
  };
  try {
    return await fuzzRuns(input, plugins, baselines, deadline, options, tally, original);
  } finally {
    closeSync(fd);
  }
}

async function fuzzRuns(
  input: FuzzInput,
  plugins: readonly string[],
  baselines: Baselines,
  deadline: number,
  options: CampaignOptions,
  tally: InputTally,
  original: OriginalBytes,
): Promise<InputTally> {
  options.log(`${input.label}: mutated runs`);
  for (let run = 0; (Date.now() < deadline || run < plugins.length) && run < (options.maxRuns ?? Infinity); run++) {
    const plugin = plugins[run % plugins.length]!;
    const seed = runSeed(options.seed, input.label, run);
    const patches = mutation(seed, input.size, input.targets, original).map((p) => ({ offset: p.offset, hex: toHex(p.bytes) }));
    const { limitMs, repeated } = baselines.get(plugin)!;
    const judgeRun = async (list: readonly HexPatch[]): Promise<{ verdict: Verdict; record: RunRecord }> => {
      const record = await runInChild(jobFor(input, plugin, list), limitMs);
      return { verdict: judge(record.end, repeated), record };
    };
    const { verdict, record } = await judgeRun(patches);
    const warned = record.end.kind === 'answered' && record.end.result.kind === 'rows' && record.end.result.warnings > 0;
    tally.add(verdict.kind, verdict.detail, record.ms, record.peakRssKb, warned);
    if (tally.runs % PROGRESS_EVERY === 0) options.log(`  ${tallyLine(tally)}`);
    if (!isFinding(verdict)) continue;
    options.log(`  run ${run} ${plugin}: ${verdict.kind}: ${verdict.detail}`);
    const tries = verdict.kind === 'hang' ? MINIMISE_TRIES_HANG : MINIMISE_TRIES;
    const small = options.minimise
      ? await minimise(patches, verdict.kind, tries, async (list) => (await judgeRun(list)).verdict)
      : { patches, verdict: undefined };
    const path = saveFinding(options.findingsDir, {
      format: input.format,
      input: input.label,
      plugin,
      options: optionsFor(plugin),
      seed: options.seed,
      run,
      runSeed: seed,
      verdict: small.verdict ?? verdict,
      report: reportOf(record.end),
      originalPatches: patches.length,
      patches: small.patches,
    });
    tally.findings.push(`${path} (${small.patches.length} of ${patches.length} patches)`);
    options.log(`    kept ${path} (${small.patches.length} of ${patches.length} patches)`);
  }
  return tally;
}
