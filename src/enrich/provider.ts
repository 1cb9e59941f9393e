/**
 * Domain enrichment: a provider tells, per domain name, whether it is known to be malicious, and its categories.
 * Providers are engine code (no host globals); one that needs the network gets it from its host (network-host.ts).
 */

/** What a provider says of a name: Umbrella's status 1 / 0 / -1; a listed name is malicious unless its list says otherwise. */
export type Verdict = 'malicious' | 'benign' | 'unknown';

export interface DomainVerdict {
  readonly verdict: Verdict;
  /** Security categories as labels ("Malware", "Phishing"; a list entry's label). */
  readonly security: readonly string[];
  /** Content categories as labels ("Social Networking"). */
  readonly content: readonly string[];
  /** The name the verdict is about: the name itself, or the listed parent domain that matched ("evil.com" for "a.evil.com"). */
  readonly matched: string;
  /** The provider that said it (DomainProvider.name). */
  readonly source: string;
}

export interface DomainProvider {
  /** Names the provider in output and messages ("umbrella", "list:blocklist.txt"); never a secret. */
  readonly name: string;
  /**
   * Verdicts for `names` (normalised: lower-case, no trailing dot, each once), keyed by name; a name the provider
   * knows nothing of may be left out or be 'unknown'. Throws EnrichError when the provider cannot answer.
   */
  lookup(names: readonly string[]): Promise<ReadonlyMap<string, DomainVerdict>>;
}

/**
 * Why a provider could not answer, for a responder to act on:
 * - offline: the service could not be reached (no network, name not resolved, connection refused, no answer in time);
 * - key-rejected: the service refused the API key (HTTP 401 / 403);
 * - rate-limited: still HTTP 429 after the retries memscope makes;
 * - bad-response: an answer memscope cannot use (another HTTP status, a body that is not the API's JSON).
 */
export type EnrichErrorKind = 'offline' | 'key-rejected' | 'rate-limited' | 'bad-response';

/** A provider's failure. Its message names the provider and never holds a key or other secret. */
export class EnrichError extends Error {
  override readonly name = 'EnrichError';
  constructor(
    readonly kind: EnrichErrorKind,
    readonly provider: string,
    message: string,
  ) {
    super(`${provider}: ${message}`);
  }
}

export function isEnrichError(e: unknown): e is EnrichError {
  return e instanceof Error && e.name === 'EnrichError' && typeof (e as EnrichError).kind === 'string';
}
