import { MemscopeError } from '../errors.ts';
import { UMBRELLA_DEFAULT_URL } from './umbrella.ts';

/**
 * An API base URL the key may be sent to: https, or http to this machine only (a local mock or proxy) — a key sent
 * in clear text over the network would be anyone's. Returned without a trailing slash.
 */
export function enrichUrl(text: string, what: string): string {
  const url = URL.canParse(text) ? new URL(text) : null;
  const loopback = url !== null && /^(localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.search || url.hash || url.username)
    throw new MemscopeError('BAD_REQUEST', `${what}: ${text} is not an https URL (http only to localhost), e.g. ${UMBRELLA_DEFAULT_URL}`);
  return url.href.replace(/\/+$/, '');
}

/**
 * The origin requests to a base URL enrichUrl accepted go to ("https://investigate.api.umbrella.com"), as a CSP
 * source expression and for messages: scheme, host and port only, so nothing else can slip into a policy.
 */
export function apiOrigin(baseUrl: string): string {
  return new URL(enrichUrl(baseUrl, 'the enrichment API address')).origin;
}
