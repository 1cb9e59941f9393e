import type { HttpAnswer, HttpPost, NetworkHost } from '../enrich/network-host.ts';

/**
 * The network as enrichment providers reach it from the CLI: the global fetch (Node's WHATWG fetch), with the
 * request's timeout as an AbortSignal, and real time. Created only when the user asked for enrichment.
 */
export function webNetworkHost(): NetworkHost {
  return {
    post: (url: string, { headers, body, timeoutMs }: HttpPost): Promise<HttpAnswer> =>
      fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' }),
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
