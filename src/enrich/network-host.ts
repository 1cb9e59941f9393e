/**
 * What a network provider needs from its host. Engine code names no host global (src/ARCHITECTURE.md): the CLI and the
 * page hand these in, built on their global `fetch`, `AbortSignal.timeout` and `setTimeout` — so nothing here reaches
 * the network unless a host asked for enrichment — and tests hand in fakes for time.
 */
export interface NetworkHost {
  /** WHATWG fetch: rejects when the host cannot be reached, or with a TimeoutError once `timeoutMs` has passed. */
  post(url: string, request: HttpPost): Promise<HttpAnswer>;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the epoch (Retry-After may be a date). */
  now(): number;
}

export interface HttpPost {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** The part of a fetch Response providers read. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}
