import type { PluginRow } from '../plugins/plugin.ts';

/** One malicious name of an enriched run: as its rows have it, the listed domain that matched, and its categories. */
export interface MaliciousName {
  readonly name: string;
  readonly matched: string;
  readonly categories: readonly string[];
}

/** What an enrichment found in a run's rows. */
export interface VerdictSummary {
  readonly source: string;
  readonly rows: number;
  /** Rows whose name has a verdict (malicious or benign). */
  readonly matched: number;
  readonly malicious: { readonly rows: number; readonly names: readonly MaliciousName[] };
}

/**
 * Sums up rows enriched by enrichRows: `nameAt` is the domain column, `verdictAt` the first enrichment column
 * (Verdict, then Categories, Matched — ENRICHMENT_COLUMNS' order). Malicious names once each, in row order.
 */
export function verdictSummary(source: string, nameAt: number, verdictAt: number, rows: readonly PluginRow[]): VerdictSummary {
  let matched = 0;
  let maliciousRows = 0;
  const names = new Map<string, MaliciousName>();
  for (const { values } of rows) {
    const verdict = values[verdictAt];
    if (verdict === 'malicious' || verdict === 'benign') matched++;
    if (verdict !== 'malicious') continue;
    maliciousRows++;
    const name = String(values[nameAt]);
    const categories = String(values[verdictAt + 1] ?? '');
    if (!names.has(name))
      names.set(name, { name, matched: String(values[verdictAt + 2] ?? name), categories: categories === '' ? [] : categories.split(', ') });
  }
  return { source, rows: rows.length, matched, malicious: { rows: maliciousRows, names: [...names.values()] } };
}
