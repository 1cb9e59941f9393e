import type { RunEnd } from './runner.ts';

export const VERDICTS = ['rows', 'clean-error', 'hang', 'crash', 'duplicate-rows'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

export interface Verdict {
  readonly kind: VerdictKind;
  /** One line: the rows and warnings, the error line, or what went wrong. */
  readonly detail: string;
}

/** Non-clean verdicts: kept as findings. */
export const isFinding = (v: Verdict): boolean => v.kind === 'hang' || v.kind === 'crash' || v.kind === 'duplicate-rows';

/**
 * Judges a run: rows; one clear error line (the CLI's exit status 1 or 2); a hang (stopped at its time limit); a crash
 * (an internal error — exit status 3 —, an error message of more than one line, an exit without an answer, or memory
 * past the limit); or duplicate rows — more identical rows than the unmutated input gives (`baselineRepeated`), the
 * mark of a looping structure.
 */
export function judge(end: RunEnd, baselineRepeated: number): Verdict {
  switch (end.kind) {
    case 'timed-out':
      return { kind: 'hang', detail: 'stopped at the time limit' };
    case 'over-memory':
      return { kind: 'crash', detail: `unbounded allocation: resident memory reached ${Math.round(end.rssKb / 1024)} MiB` };
    case 'died': {
      // Node's report of an uncaught error: the source line, a caret, then "SomeError: message" and the stack.
      const lines = end.stderr.split('\n');
      const error = lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.find((l) => /heap|memory/i.test(l)) ?? lines[0] ?? '';
      const at = lines.find((l) => /^\s+at /.test(l))?.trim() ?? '';
      return { kind: 'crash', detail: `exited (${end.signal ?? end.code}) without an answer: ${error}${at ? ` (${at})` : ''}` };
    }
    case 'answered': {
      const r = end.result;
      if (r.kind === 'error') {
        const [first = '', ...more] = r.line.split('\n');
        if (r.exitCode === 3 || more.length > 0 || !first.trim()) return { kind: 'crash', detail: r.line.split('\n').slice(0, 3).join(' | ') };
        return { kind: 'clean-error', detail: first };
      }
      if (r.repeated > baselineRepeated)
        return { kind: 'duplicate-rows', detail: `${r.repeated} repeated rows of ${r.rows} (unmutated: ${baselineRepeated})` };
      return { kind: 'rows', detail: `${r.rows} rows, ${r.warnings} warnings` };
    }
  }
}
