import type { VerdictKind } from './verdict.ts';

/** The tally of one input's runs. */
export class InputTally {
  readonly counts: Record<VerdictKind, number> = { rows: 0, 'clean-error': 0, hang: 0, crash: 0, 'duplicate-rows': 0 };
  runs = 0;
  rowsWithWarnings = 0;
  peakRssKb = 0;
  ms = 0;
  findings: string[] = [];
  /** How often each clean error line was given (the most common are listed). */
  readonly errors = new Map<string, number>();

  constructor(readonly label: string) {}

  add(kind: VerdictKind, detail: string, ms: number, peakRssKb: number, warned: boolean): void {
    this.runs++;
    this.counts[kind]++;
    this.ms += ms;
    this.peakRssKb = Math.max(this.peakRssKb, peakRssKb);
    if (kind === 'rows' && warned) this.rowsWithWarnings++;
    if (kind === 'clean-error') this.errors.set(detail, (this.errors.get(detail) ?? 0) + 1);
  }
}

const MOST_COMMON = 3;

/** One input's counts on one line. */
export function tallyLine(t: InputTally): string {
  const c = t.counts;
  const rate = t.ms > 0 ? (t.runs / (t.ms / 1000)).toFixed(2) : '0';
  return (
    `${t.runs} runs (${rate} runs/s), rows ${c.rows} (${t.rowsWithWarnings} with warnings), clean errors ${c['clean-error']}, ` +
    `hangs ${c.hang}, crashes ${c.crash}, duplicate-rows ${c['duplicate-rows']}, peak RSS ${Math.round(t.peakRssKb / 1024)} MiB`
  );
}

/** The summary printed at the end of a campaign: per input, then the totals. */
export function summaryText(tallies: readonly InputTally[], skipped: readonly string[]): string {
  const lines = ['', 'fuzz summary'];
  for (const t of tallies) {
    lines.push(`  ${t.label}: ${tallyLine(t)}`);
    const common = [...t.errors].sort((a, b) => b[1] - a[1]).slice(0, MOST_COMMON);
    for (const [line, n] of common) lines.push(`      ${n}× ${line}`);
    for (const f of t.findings) lines.push(`      finding: ${f}`);
  }
  for (const s of skipped) lines.push(`  skipped: ${s}`);
  const total = (k: VerdictKind) => tallies.reduce((n, t) => n + t.counts[k], 0);
  lines.push(
    `  total: ${tallies.reduce((n, t) => n + t.runs, 0)} runs, rows ${total('rows')}, clean errors ${total('clean-error')}, hangs ${total('hang')}, ` +
      `crashes ${total('crash')}, duplicate-rows ${total('duplicate-rows')}, peak RSS ${Math.round(Math.max(0, ...tallies.map((t) => t.peakRssKb)) / 1024)} MiB`,
  );
  return lines.join('\n');
}
