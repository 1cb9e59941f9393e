import { IdbEnrichmentSettings } from '../browser/idb-enrichment-settings.ts';
import { pageNetworkHost } from '../browser/page-network-host.ts';
import { apiOrigin } from '../enrich/api-url.ts';
import { isEnrichError } from '../enrich/provider.ts';
import { UmbrellaProvider } from '../enrich/umbrella.ts';
import { FRAME_READY, isLookupRequest, type LookupReply } from './umbrella-frame-protocol.ts';

// The Umbrella lookup frame (umbrella-frame.html), loaded by the page for one lookup the user confirmed and removed
// after it. The page's own policy (connect-src 'self') stays as it is — and with it the plugin sandbox's and the
// workers' — this frame alone may reach the configured origin: its policy is narrowed here, at load, from the saved
// settings, before anything can be sent. The key is read here from IndexedDB and never leaves the frame but to that origin.

const saved = (async () => {
  // Settings that cannot be read, or are not ones a key may be sent with, are none: nothing is allowed.
  const settings = await new IdbEnrichmentSettings().umbrella().catch(() => undefined);
  const origin = settings && apiOrigin(settings.baseUrl);
  allowOnly(origin);
  return settings && origin !== undefined ? { ...settings, origin } : undefined;
})();

/** Adds a policy allowing connections to `origin` alone (none without one): policies only narrow, never widen. */
function allowOnly(origin: string | undefined): void {
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = `connect-src ${origin ?? "'none'"}`;
  document.head.append(meta);
}

async function lookup(names: readonly string[]): Promise<LookupReply> {
  const settings = await saved;
  if (!settings) return { error: { kind: 'key-rejected', detail: 'no API key is saved in this browser: add one in the Umbrella settings' } };
  try {
    const provider = new UmbrellaProvider({ key: settings.key, baseUrl: settings.baseUrl, host: pageNetworkHost(settings.origin) });
    return { verdicts: [...(await provider.lookup(names))] };
  } catch (e) {
    // The provider's name is the page's to add again. Anything else is a bug, said rather than left unanswered.
    if (isEnrichError(e)) return { error: { kind: e.kind, detail: e.message.slice(`${e.provider}: `.length) } };
    return { error: { kind: 'bad-response', detail: `the lookup failed (a bug in memscope): ${e instanceof Error ? e.message : String(e)}` } };
  }
}

addEventListener('message', (e: MessageEvent) => {
  const port = e.ports[0];
  if (e.origin !== location.origin || e.source !== parent || !port || !isLookupRequest(e.data)) return;
  void lookup(e.data.names).then((reply) => port.postMessage(reply));
});

void saved.then(() => parent.postMessage(FRAME_READY, location.origin));
