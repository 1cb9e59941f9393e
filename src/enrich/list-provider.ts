import type { DomainList } from './domain-list.ts';
import { selfAndParents } from './domain-name.ts';
import type { DomainProvider, DomainVerdict, Verdict } from './provider.ts';

/** Labels that put a name on an allowlist: an entry labelled only with these is benign, any other listed name malicious. */
const BENIGN_LABELS = new Set(['allow', 'allowed', 'allowlist', 'whitelist', 'benign', 'clean', 'safe', 'trusted']);

/**
 * A user's domain list, matched locally (no network): a name matches when it or a domain above it is listed
 * (a.b.evil.com matches evil.com); the most specific listed domain wins and is the verdict's `matched`. A match is
 * malicious, or benign when its labels are all allowlist words (BENIGN_LABELS); its labels are its categories.
 */
export class ListProvider implements DomainProvider {
  constructor(
    readonly name: string,
    private readonly list: DomainList,
  ) {}

  lookup(names: readonly string[]): Promise<ReadonlyMap<string, DomainVerdict>> {
    const verdicts = new Map<string, DomainVerdict>();
    for (const name of names) {
      for (const listed of selfAndParents(name)) {
        const labels = this.list.entries.get(listed);
        if (labels === undefined) continue;
        verdicts.set(name, { verdict: verdictOf(labels), security: labels, content: [], matched: listed, source: this.name });
        break;
      }
    }
    return Promise.resolve(verdicts);
  }
}

function verdictOf(labels: readonly string[]): Verdict {
  return labels.length > 0 && labels.every((l) => BENIGN_LABELS.has(l.toLowerCase())) ? 'benign' : 'malicious';
}
