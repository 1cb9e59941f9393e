import type { DomainVerdict, EnrichErrorKind } from '../enrich/provider.ts';

/**
 * How the page and its Umbrella lookup frame talk (umbrella-frame.ts, umbrella-frame-client.ts): the frame posts
 * FRAME_READY to its parent once its policy allows the configured origin only; the page then posts a LookupRequest
 * with a MessagePort, on which the frame answers one LookupReply. Both check that the other is of the page's origin.
 */
export const FRAME_READY = 'memscope-umbrella-frame-ready';

export interface LookupRequest {
  readonly names: readonly string[];
}

export type LookupReply =
  | { readonly verdicts: readonly (readonly [string, DomainVerdict])[] }
  | { readonly error: { readonly kind: EnrichErrorKind; readonly detail: string } };

export function isLookupRequest(data: unknown): data is LookupRequest {
  const names = (data as LookupRequest | null)?.names;
  return Array.isArray(names) && names.every((n) => typeof n === 'string');
}
