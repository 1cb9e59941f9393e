import { MemscopeError } from '../errors.ts';
import { csvFields } from './csv-fields.ts';
import { normalizeDomain } from './domain-name.ts';

/** Header names of the column holding the domain, in order of preference (compared lower-case, `_`/space/`-` alike). */
const DOMAIN_HEADERS = [
  'domain',
  'domain name',
  'domainname',
  'hostname',
  'host',
  'fqdn',
  'query',
  'qname',
  'name',
  'indicator',
  'ioc',
  'value',
  'url',
];
/** Header names of the column holding the entry's label. */
const LABEL_HEADERS = [
  'label',
  'category',
  'categories',
  'threat',
  'threat type',
  'type',
  'tag',
  'tags',
  'classification',
  'list',
  'comment',
  'description',
];

/** A user's list of domain names, each with the labels the list gives it (none: listed without a label). */
export interface DomainList {
  readonly entries: ReadonlyMap<string, readonly string[]>;
  readonly format: 'text' | 'csv';
  /** Lines that held no domain name (not comments, not blank), and the first one's number (1-based). */
  readonly skipped: number;
  readonly firstSkipped?: number;
}

/**
 * Reads a domain list: plain text (a domain per line, optionally a label after whitespace or a comma; hosts-file lines
 * `0.0.0.0 evil.com`; `||evil.com^` adblock rules; `#` starts a comment), or CSV with a header naming the domain
 * column (`domain`, `hostname`, `host`, `fqdn`, `name`, `indicator`, `url`, …) and optionally a label column (`label`,
 * `category`, `threat`, `type`, `tags`, …); a tab-separated header means TSV. URLs stand for their host, `*.evil.com`
 * for evil.com. Names are lower-cased, trailing dots dropped. `source` names the list in errors (BAD_REQUEST).
 */
export function parseDomainList(text: string, source: string): DomainList {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const first = lines.findIndex((l) => isContent(l));
  if (first === -1) throw new MemscopeError('BAD_REQUEST', 'the domain list is empty (no line other than comments)', source);
  const separator = lines[first]!.includes('\t') && !lines[first]!.includes(',') ? '\t' : ',';
  const header = csvFields(lines[first]!, separator).map((h) => h.toLowerCase().replace(/[_-]+/g, ' '));
  const domainAt = columnOf(header, DOMAIN_HEADERS);
  if (domainAt === -1 && header.length > 1 && header.every((h) => domainOf(h) === undefined))
    throw new MemscopeError(
      'BAD_REQUEST',
      `the first line looks like a CSV header but names no domain column (one of: ${DOMAIN_HEADERS.join(', ')})`,
      source,
    );
  const csv = domainAt !== -1;
  const labelAt = csv ? columnOf(header, LABEL_HEADERS) : -1;
  const entries = new Map<string, readonly string[]>();
  const shared = new Map<string, readonly string[]>();
  let skipped = 0;
  let firstSkipped: number | undefined;
  for (let i = csv ? first + 1 : first; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isContent(line)) continue;
    const [name, label] = csv ? csvEntry(line, separator, domainAt, labelAt) : textEntry(line);
    const domain = name === undefined ? undefined : domainOf(name);
    if (domain === undefined) {
      skipped++;
      firstSkipped ??= i + 1;
      continue;
    }
    const labels = label ? splitLabels(label) : [];
    const known = entries.get(domain);
    const merged = known ? [...new Set([...known, ...labels])] : labels;
    // One array per distinct label set: a million "malware" lines share one.
    const key = merged.join('\n');
    let kept = shared.get(key);
    if (!kept) shared.set(key, (kept = Object.freeze(merged)));
    entries.set(domain, kept);
  }
  if (entries.size === 0)
    throw new MemscopeError(
      'BAD_REQUEST',
      `the domain list holds no domain name (${skipped} lines are not one, the first is line ${firstSkipped})`,
      source,
    );
  return { entries, format: csv ? 'csv' : 'text', skipped, ...(firstSkipped === undefined ? {} : { firstSkipped }) };
}

function isContent(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

function columnOf(header: readonly string[], names: readonly string[]): number {
  for (const name of names) {
    const at = header.indexOf(name);
    if (at !== -1) return at;
  }
  return -1;
}

function csvEntry(line: string, separator: string, domainAt: number, labelAt: number): [string | undefined, string | undefined] {
  const fields = csvFields(line, separator);
  return [fields[domainAt], labelAt === -1 ? undefined : fields[labelAt]];
}

/** `evil.com malware`, `evil.com,malware`, `0.0.0.0 evil.com`, `||evil.com^`; a ` #` starts a comment. */
function textEntry(line: string): [string | undefined, string | undefined] {
  const tokens = line
    .replace(/\s#.*$/, '')
    .trim()
    .split(/[\s,]+/);
  // A hosts file's address first: the name follows.
  if (tokens.length > 1 && /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$/i.test(tokens[0]!)) tokens.shift();
  const [name, ...label] = tokens;
  return [name, label.join(' ')];
}

/**
 * The domain an entry names: itself, a URL's host, `*.x` or `.x` as x, an adblock rule's; undefined if none. A name
 * without a dot (a stray word) is none, unless written `.tk` / `*.tk`: a whole top-level domain listed on purpose.
 */
function domainOf(entry: string): string | undefined {
  let text = entry.trim().replace(/^["']|["']$/g, '');
  text = text.replace(/^\|\|([^^/]*)\^?.*$/, '$1');
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]*)/i.exec(text);
  if (url) text = url[1]!;
  const below = /^\*?\./.test(text);
  const name = normalizeDomain(text.replace(/^\*?\./, ''));
  return name !== undefined && (below || name.includes('.')) ? name : undefined;
}

/** A label cell as labels: `malware; c2` or `malware|c2` are two (commas too, in CSV cells). */
function splitLabels(label: string): string[] {
  return [
    ...new Set(
      label
        .split(/[;|,]/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
}
