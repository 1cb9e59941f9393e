import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HexPatch } from './job.ts';
import type { FuzzFormat } from './inputs.ts';
import type { Verdict } from './verdict.ts';

/** A kept failing input: enough to replay it (`npm run fuzz -- --replay FILE`) on the same input. */
export interface Finding {
  readonly format: FuzzFormat;
  /** The input's label (inputs.ts), telling the Linux and Windows raw images apart. */
  readonly input: string;
  readonly plugin: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** The campaign seed and run number that produced the mutation, and that run's own seed. */
  readonly seed: number;
  readonly run: number;
  readonly runSeed: number;
  readonly verdict: Verdict;
  /** The failing run's own report, in full: an internal error's stack, or what a dying child wrote on stderr. */
  readonly report?: string;
  /** How many patches the mutation had before minimising. */
  readonly originalPatches: number;
  readonly patches: readonly HexPatch[];
}

/** Writes `finding` as DIR/<format>-<plugin>-<verdict>-s<seed>-r<run>.json and returns the path. */
export function saveFinding(dir: string, finding: Finding): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${finding.format}-${finding.plugin}-${finding.verdict.kind}-s${finding.seed}-r${finding.run}.json`);
  writeFileSync(path, `${JSON.stringify(finding, null, 2)}\n`);
  return path;
}

export function loadFinding(path: string): Finding {
  const f = JSON.parse(readFileSync(path, 'utf8')) as Finding;
  if (!f.format || !f.input || !f.plugin || !Array.isArray(f.patches)) throw new Error(`${path}: not a fuzz finding`);
  return f;
}
