import type { CountedWarning, RunWarning } from '../plugins/plugin.ts';

/** Distinct warnings kept per run; a hostile image can raise one per entry of a smeared table. */
export const MAX_DISTINCT_WARNINGS = 1000;

/** The warnings of one plugin run: identical ones counted rather than repeated, and at most MAX_DISTINCT_WARNINGS of them. */
export class RunWarnings {
  private readonly counted = new Map<string, { readonly warning: RunWarning; count: number }>();
  private dropped = 0;

  add({ code, message, address }: RunWarning): void {
    const key = JSON.stringify([code, message, address]);
    const entry = this.counted.get(key);
    if (entry) entry.count++;
    else if (this.counted.size >= MAX_DISTINCT_WARNINGS) this.dropped++;
    // Only the three fields are kept, so that what a (third-party) plugin passed stays plain data.
    else this.counted.set(key, { warning: address === undefined ? { code, message } : { code, message, address }, count: 1 });
  }

  /** In order of first occurrence, then one LIMIT warning for those beyond the cap. */
  get list(): CountedWarning[] {
    const list: CountedWarning[] = [...this.counted.values()].map(({ warning, count }) => ({ ...warning, count }));
    if (this.dropped > 0) {
      list.push({
        code: 'LIMIT',
        message: `and ${this.dropped} more warning(s) not listed: a run keeps at most ${MAX_DISTINCT_WARNINGS} distinct ones`,
        count: 1,
      });
    }
    return list;
  }
}
