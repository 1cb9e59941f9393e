import type { Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';

/** A run that mentions a domain or one of the addresses it resolved to. */
export interface Mention {
  readonly runId: string;
  readonly plugin: string;
  readonly rows: number;
  /** What to filter that run by to see them: the name, or the address it matched by. */
  readonly term: string;
}

export interface MentionedRun {
  readonly id: string;
  readonly plugin: { readonly name: string };
  readonly columns: readonly Column[];
  readonly rows: readonly PluginRow[];
}

/** Rows looked through per run: a result larger than this is searched in its first rows only. */
const MAX_ROWS_SEARCHED = 250_000;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*$/i;

/**
 * Where else a cached name shows in this image's runs: cells that hold the name (whole, or as the end of a longer name
 * or URL), or cells that are exactly `address`, what an A/AAAA record resolved it to (a connection's remote end).
 * The DNS run itself is left out.
 */
export function domainMentions(name: string, address: string | undefined, runs: readonly MentionedRun[], except: string): Mention[] {
  const needle = name.toLowerCase().replace(/\.$/, '');
  if (needle === '') return [];
  const mentions: Mention[] = [];
  for (const run of runs) {
    if (run.id === except) continue;
    let byName = 0;
    let byAddress = 0;
    for (const row of run.rows.slice(0, MAX_ROWS_SEARCHED)) {
      const texts = run.columns.map((c, i) => formatCell(row.values[i] ?? null, c.type).toLowerCase());
      if (texts.some((t) => holdsName(t, needle))) byName++;
      else if (address !== undefined && texts.some((t) => t === address.toLowerCase())) byAddress++;
    }
    if (byName > 0) mentions.push({ runId: run.id, plugin: run.plugin.name, rows: byName, term: name });
    if (byAddress > 0) mentions.push({ runId: run.id, plugin: run.plugin.name, rows: byAddress, term: address! });
  }
  return mentions;
}

/** A record's data when it is an IPv4 or IPv6 address (an A or AAAA record's), else undefined. */
export function recordAddress(data: unknown): string | undefined {
  return typeof data === 'string' && (IPV4.test(data) || IPV6.test(data)) ? data : undefined;
}

/** `name` in `text` not inside a longer word: "www.bing.com" holds "bing.com", "notbing.com" does not. */
function holdsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1];
    const after = text[at + name.length];
    if ((before === undefined || !/[a-z0-9_-]/.test(before)) && (after === undefined || !/[a-z0-9_-]/.test(after))) return true;
  }
  return false;
}
