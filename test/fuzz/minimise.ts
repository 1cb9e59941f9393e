import type { HexPatch } from './job.ts';
import type { Verdict, VerdictKind } from './verdict.ts';

/**
 * Drops patches while the verdict stays of the same kind: halves, then quarters, ... of the list (a simple ddmin),
 * within `maxTries` runs. Returns the smallest patch list found that still gives it.
 */
export async function minimise(
  patches: readonly HexPatch[],
  kind: VerdictKind,
  maxTries: number,
  judgeRun: (patches: readonly HexPatch[]) => Promise<Verdict>,
): Promise<{ patches: readonly HexPatch[]; verdict?: Verdict; tries: number }> {
  let current = patches;
  let verdict: Verdict | undefined;
  let tries = 0;
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1 && tries < maxTries; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let at = 0; at < current.length && tries < maxTries && current.length > 1;) {
      const candidate = [...current.slice(0, at), ...current.slice(at + chunk)];
      tries++;
      const v = await judgeRun(candidate);
      if (v.kind === kind) {
        current = candidate;
        verdict = v;
      } else at += chunk;
    }
  }
  return { patches: current, verdict, tries };
}
