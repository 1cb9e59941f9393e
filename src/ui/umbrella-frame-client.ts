import { EnrichError, type DomainProvider, type DomainVerdict } from '../enrich/provider.ts';
import { FRAME_READY, type LookupReply, type LookupRequest } from './umbrella-frame-protocol.ts';

/** How long the lookup frame may take to load and read the settings. */
const READY_TIMEOUT_MS = 10_000;

/**
 * Umbrella Investigate as the page asks it: each lookup loads the lookup frame (umbrella-frame.html, beside the
 * page), hands it the names and removes it once it has answered. The frame holds the key and is the only part of the
 * page allowed to reach the configured origin (see umbrella-frame.ts); its failures arrive as the provider's EnrichErrors.
 */
export class FramedUmbrella implements DomainProvider {
  readonly name = 'umbrella';

  constructor(private readonly frameUrl: string) {}

  async lookup(names: readonly string[]): Promise<ReadonlyMap<string, DomainVerdict>> {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'Umbrella lookup';
    frame.src = this.frameUrl;
    const ready = frameReady(frame, this.name);
    document.body.append(frame);
    try {
      await ready;
      const reply = await ask(frame.contentWindow!, { names });
      if ('error' in reply) throw new EnrichError(reply.error.kind, this.name, reply.error.detail);
      return new Map(reply.verdicts);
    } finally {
      frame.remove();
    }
  }
}

/** Resolves when `frame` says it is ready; an EnrichError (offline) when it has not within READY_TIMEOUT_MS. */
function frameReady(frame: HTMLIFrameElement, provider: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener('message', onMessage);
    };
    const onMessage = (e: MessageEvent) => {
      if (e.source !== frame.contentWindow || e.origin !== location.origin || e.data !== FRAME_READY) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new EnrichError('offline', provider, 'the lookup frame (umbrella-frame.html) did not load: is the page served in full?'));
    }, READY_TIMEOUT_MS);
    addEventListener('message', onMessage);
  });
}

function ask(frame: Window, request: LookupRequest): Promise<LookupReply> {
  const channel = new MessageChannel();
  const reply = new Promise<LookupReply>((resolve) => (channel.port1.onmessage = (e: MessageEvent<LookupReply>) => resolve(e.data)));
  frame.postMessage(request, location.origin, [channel.port2]);
  return reply.finally(() => channel.port1.close());
}
