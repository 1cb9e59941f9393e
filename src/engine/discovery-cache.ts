import type { KeyValueCache } from './kv-cache.ts';

/** A discovery's answer as cached: what was found (plain data), or null when nothing was. */
interface Outcome {
  readonly discovery: object | null;
}

/** A negative outcome carries the build that concluded it. */
type Stored<T extends Outcome> = T & { readonly buildId?: string };

/**
 * Discovery outcomes per key. What was found is confirmed against the image by the caller, so any build may
 * reuse it. "Nothing found" cannot be confirmed, and a later build may find what this one missed, so it is
 * reused only by the very build that concluded it — and never without a build identity (run from source),
 * since the code may have changed since it was written.
 */
export class DiscoveryCache {
  constructor(
    private readonly store: KeyValueCache | undefined,
    private readonly buildId: string | undefined,
  ) {}

  async get<T extends Outcome>(key: string): Promise<T | undefined> {
    const cached = (await this.store?.get(key)) as Stored<T> | undefined;
    if (!cached || cached.discovery) return cached;
    return this.buildId !== undefined && cached.buildId === this.buildId ? cached : undefined;
  }

  async set(key: string, outcome: Outcome): Promise<void> {
    await this.store?.set(key, outcome.discovery ? outcome : { ...outcome, buildId: this.buildId });
  }
}
