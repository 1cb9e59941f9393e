import type { Cell, Column, PluginRow } from '../plugins/plugin.ts';
import { normalizeDomain } from './domain-name.ts';
import { isEnrichError, type DomainProvider, type DomainVerdict, type EnrichError } from './provider.ts';

/**
 * The columns enrichment appends, in this order: the verdict (malicious / benign / unknown), the categories (security
 * first, then content; ", " between), the domain the verdict is about (the row's name, or the listed parent domain
 * that matched) and the provider. A row without a domain name (see nameOf) has null (N/A) in all four.
 */
export const ENRICHMENT_COLUMNS: readonly Column[] = [
  { name: 'Verdict', type: 'str' },
  { name: 'Categories', type: 'str' },
  { name: 'Matched', type: 'str' },
  { name: 'Enrichment source', type: 'str' },
];

/** The enrichment columns for a plugin with `columns`; a name the plugin already has gets " (enrichment)". */
export function enrichmentColumns(columns: readonly Column[]): Column[] {
  const taken = new Set(columns.map((c) => c.name));
  return ENRICHMENT_COLUMNS.map((c) => (taken.has(c.name) ? { ...c, name: `${c.name} (enrichment)` } : c));
}

/** Where `domainColumn` is among `columns`: a `str` column, else -1. */
export function domainColumnIndex(columns: readonly Column[], domainColumn: string): number {
  return columns.findIndex((c) => c.name === domainColumn && c.type === 'str');
}

/** The rows' enrichment: the columns to append, and per row (in order) the cells to append. */
export interface Enrichment {
  readonly columns: readonly Column[];
  readonly values: readonly (readonly Cell[])[];
}

/** A provider's verdicts on the names rows hold, each name asked once, remembered across batches. */
class Verdicts {
  private readonly known = new Map<string, DomainVerdict | null>();
  constructor(private readonly provider: DomainProvider) {}

  /** Asks the provider about the names of `cells` it was not asked about yet (EnrichError when it cannot answer). */
  async learn(cells: Iterable<Cell | undefined>): Promise<void> {
    const asked = new Set<string>();
    for (const cell of cells) {
      const name = nameOf(cell);
      if (name !== undefined && !this.known.has(name)) asked.add(name);
    }
    if (asked.size === 0) return;
    const answers = await this.provider.lookup([...asked]);
    for (const name of asked) this.known.set(name, answers.get(name) ?? null);
  }

  /** The cells a row whose domain cell is `cell` gets: N/A without a name (or when the name was never learnt). */
  cells(cell: Cell | undefined): Cell[] {
    const name = nameOf(cell);
    const verdict = name === undefined ? undefined : this.known.get(name);
    if (verdict === undefined) return [null, null, null, null];
    if (verdict === null) return ['unknown', '', null, this.provider.name];
    return [verdict.verdict, [...verdict.security, ...verdict.content].join(', '), verdict.matched, verdict.source];
  }
}

/**
 * The name a domain cell asks about: none for a cell that is not text or not a domain name, a single label (`wpad`,
 * `localhost`: nothing to categorise) or a reverse-lookup name (`4.3.2.1.in-addr.arpa`: an address, often internal,
 * that no provider should be sent).
 */
function nameOf(cell: Cell | undefined): string | undefined {
  const name = typeof cell === 'string' ? normalizeDomain(cell) : undefined;
  return name === undefined || !name.includes('.') || /(^|\.)(in-addr|ip6)\.arpa$/.test(name) ? undefined : name;
}

/**
 * Enriches `rows` (a plugin's, with `columns`) by the names in `domainColumn`: the columns and cells to append. Throws
 * EnrichError when the provider cannot answer; a `domainColumn` that is not a `str` column of `columns` is a bug.
 */
export async function enrichRows(
  provider: DomainProvider,
  columns: readonly Column[],
  rows: readonly PluginRow[],
  domainColumn: string,
): Promise<Enrichment> {
  const at = requireDomainColumn(columns, domainColumn);
  const verdicts = new Verdicts(provider);
  await verdicts.learn(rows.map((r) => r.values[at]));
  return { columns: enrichmentColumns(columns), values: rows.map((r) => verdicts.cells(r.values[at])) };
}

export interface EnrichStreamOptions {
  /** Rows gathered before their new names are looked up (default 1000). */
  readonly batchRows?: number;
  /** Called once when the provider fails; the rows from then on pass with N/A enrichment cells. */
  readonly onError: (error: EnrichError) => void;
}

/**
 * `rows` as they stream, with the enrichment cells appended (columns: enrichmentColumns(columns)): every `batchRows`
 * rows, the names not looked up before go to the provider in one lookup. A provider failure is reported once through
 * `onError` and costs the enrichment, not the rows; rows gathered when `rows` throws are yielded before the error.
 */
export async function* enrichStream(
  provider: DomainProvider,
  columns: readonly Column[],
  domainColumn: string,
  rows: AsyncIterable<PluginRow>,
  options: EnrichStreamOptions,
): AsyncGenerator<PluginRow> {
  const at = requireDomainColumn(columns, domainColumn);
  const batchRows = options.batchRows ?? 1000;
  const verdicts = new Verdicts(provider);
  let failed = false;
  let batch: PluginRow[] = [];
  const flush = async function* (): AsyncGenerator<PluginRow> {
    if (!failed) {
      try {
        await verdicts.learn(batch.map((r) => r.values[at]));
      } catch (e) {
        if (!isEnrichError(e)) throw e;
        failed = true;
        options.onError(e);
      }
    }
    for (const row of batch) yield { depth: row.depth, values: [...row.values, ...verdicts.cells(row.values[at])] };
    batch = [];
  };
  try {
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= batchRows) yield* flush();
    }
  } catch (e) {
    // A run that fails keeps the rows it yielded before, as without enrichment.
    yield* flush();
    throw e;
  }
  yield* flush();
}

function requireDomainColumn(columns: readonly Column[], domainColumn: string): number {
  const at = domainColumnIndex(columns, domainColumn);
  if (at === -1) throw new Error(`enrichment: ${domainColumn} is not a text column of the rows`);
  return at;
}
