import type { HttpAnswer, HttpPost, NetworkHost } from '../enrich/network-host.ts';

/**
 * The network as the page's lookup frame reaches it: fetch to `origin` only (anything else is refused before a
 * request is made; the frame's Content-Security-Policy refuses it too), without cookies, referrer or HTTP cache, no
 * redirects (a key must not follow one elsewhere), the request's timeout as an AbortSignal; real time.
 */
export function pageNetworkHost(origin: string): NetworkHost {
  return {
    post(url: string, { headers, body, timeoutMs }: HttpPost): Promise<HttpAnswer> {
      if (new URL(url).origin !== origin) return Promise.reject(new Error(`${url} is not on ${origin}, the configured enrichment origin`));
      return fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
    },
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
