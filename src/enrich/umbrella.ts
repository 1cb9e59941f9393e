import type { NetworkHost } from './network-host.ts';
import { retryAfterMs } from './retry-after.ts';
import { EnrichError, type DomainProvider, type DomainVerdict, type EnrichErrorKind, type Verdict } from './provider.ts';

export const UMBRELLA_DEFAULT_URL = 'https://investigate.api.umbrella.com';

export interface UmbrellaOptions {
  /** The Investigate API key (sent as `Authorization: Bearer`; kept private to the provider, never in a message). */
  readonly key: string;
  /** The API's origin (and path prefix, if any); default UMBRELLA_DEFAULT_URL. */
  readonly baseUrl?: string;
  readonly host: NetworkHost;
  /** Names per request (the API takes up to 1000). */
  readonly batchSize?: number;
  /** Milliseconds one request may take. */
  readonly timeoutMs?: number;
  /** Retries of a request answered 429 (rate limited) before giving up. */
  readonly maxRetries?: number;
  /** The longest single wait before a retry: a Retry-After asking more gives up at once. */
  readonly maxWaitMs?: number;
}

const STATUS = new Map<unknown, Verdict>([
  [1, 'benign'],
  [0, 'unknown'],
  [-1, 'malicious'],
]);
/** The wait before retry n (0, 1, …) when a 429 has no Retry-After. */
const backoffMs = (retry: number) => 1000 * 2 ** retry;

/**
 * Cisco Umbrella Investigate's domain categorization: `POST {baseUrl}/domains/categorization/?showLabels` with a JSON
 * array of names, answered with `{ name: { status: 1 | 0 | -1, security_categories: [...], content_categories: [...] } }`.
 * Names go in batches, one request at a time; a 429 is retried after its Retry-After (or 1, 2, 4 … s), boundedly.
 */
export class UmbrellaProvider implements DomainProvider {
  readonly name = 'umbrella';
  readonly #key: string;
  readonly #url: string;
  readonly #origin: string;
  readonly #host: NetworkHost;
  readonly #batchSize: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #maxWaitMs: number;

  constructor(options: UmbrellaOptions) {
    // A key with spaces or line breaks cannot be a header value (and fetch would quote it in its error).
    if (!/^[\x21-\x7e]+$/.test(options.key))
      this.#fail('key-rejected', 'the API key is empty or has characters no API key has (spaces, line breaks)');
    this.#key = options.key;
    const base = (options.baseUrl ?? UMBRELLA_DEFAULT_URL).replace(/\/+$/, '');
    this.#url = `${base}/domains/categorization/?showLabels`;
    this.#origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i.exec(base)?.[0] ?? base;
    this.#host = options.host;
    this.#batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 1000));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async lookup(names: readonly string[]): Promise<ReadonlyMap<string, DomainVerdict>> {
    const unique = [...new Set(names.map(canonical))].filter((n) => n !== '');
    const verdicts = new Map<string, DomainVerdict>();
    for (let at = 0; at < unique.length; at += this.#batchSize) {
      const batch = unique.slice(at, at + this.#batchSize);
      for (const [name, verdict] of this.#parse(await this.#request(JSON.stringify(batch)), batch)) verdicts.set(name, verdict);
    }
    return verdicts;
  }

  /** The body of a 200 answer to `body`, after the retries a 429 allows. */
  async #request(body: string): Promise<string> {
    let waited = 0;
    for (let retry = 0; ; retry++) {
      let answer;
      try {
        answer = await this.#host.post(this.#url, {
          headers: { Authorization: `Bearer ${this.#key}`, 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
          timeoutMs: this.#timeoutMs,
        });
        if (answer.status === 200) return await answer.text();
      } catch (e) {
        this.#fail('offline', this.#unreachable(e));
      }
      const { status } = answer;
      if (status === 401 || status === 403)
        this.#fail('key-rejected', `the API key was refused (HTTP ${status}): it is wrong, expired, or lacks Investigate access`);
      if (status !== 429) this.#fail('bad-response', `${this.#origin} answered HTTP ${status}, not the categorization memscope asked for`);
      const wait = retryAfterMs(answer.headers.get('retry-after'), this.#host.now()) ?? backoffMs(retry);
      if (wait > this.#maxWaitMs)
        this.#fail(
          'rate-limited',
          `rate limited (HTTP 429): the service asks to wait ${seconds(wait)}, more than memscope waits (${seconds(this.#maxWaitMs)}); try again later`,
        );
      if (retry >= this.#maxRetries)
        this.#fail(
          'rate-limited',
          `still rate limited (HTTP 429) after ${retry} retries over ${seconds(waited)}; try again later, or enrich fewer rows`,
        );
      await this.#host.sleep(wait);
      waited += wait;
    }
  }

  #unreachable(e: unknown): string {
    if (e instanceof Error && e.name === 'TimeoutError') return `no answer from ${this.#origin} within ${seconds(this.#timeoutMs)}`;
    const cause = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
    const why = typeof cause === 'string' ? ` (${cause})` : '';
    return `${this.#origin} could not be reached${why}: offline, or a proxy or firewall blocks it`;
  }

  #parse(text: string, names: readonly string[]): Map<string, DomainVerdict> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#fail('bad-response', 'the answer is not JSON (not the categorization API?)');
    }
    if (!isRecord(json)) this.#fail('bad-response', 'the answer is not a JSON object of names (not the categorization API?)');
    const entries = new Map(Object.entries(json).map(([name, entry]) => [canonical(name), entry]));
    const verdicts = new Map<string, DomainVerdict>();
    for (const name of names) {
      const entry = entries.get(name);
      if (entry === undefined) continue;
      const verdict = isRecord(entry) ? STATUS.get(entry['status']) : undefined;
      const security = isRecord(entry) ? labels(entry['security_categories']) : undefined;
      const content = isRecord(entry) ? labels(entry['content_categories']) : undefined;
      if (!verdict || !security || !content)
        this.#fail('bad-response', `the answer for ${name} is not { status: 1 | 0 | -1, security_categories: [...], content_categories: [...] }`);
      verdicts.set(name, { verdict, security, content, matched: name, source: this.name });
    }
    return verdicts;
  }

  /** Throws an EnrichError; the key is cut out of the message should any text ever carry it. */
  #fail(kind: EnrichErrorKind, message: string): never {
    throw new EnrichError(kind, this.name, this.#key ? message.split(this.#key).join('[key]') : message);
  }
}

/** A name as asked and as matched in the answer: lower-case, no trailing dot. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Category labels (ids as text, should the API answer without ?showLabels); absent is none; undefined when not a list. */
function labels(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' || typeof v === 'number')) return undefined;
  return value.map(String);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
