import type { OsEnv, OsOutcome, OsProfile } from '../os/os-profile.ts';
import type { DiscoveryCache } from './discovery-cache.ts';

/** An OS found in the image: its profile and what its kernel context is built from. */
export interface FoundOs<P extends OsProfile> {
  readonly profile: P;
  readonly found: unknown;
}

/** Why an OS is not in the image, as its discovery concluded (partial: it was seen, but the capture is incomplete). */
export type OsMiss = Extract<OsOutcome<object>, { discovery: null }>;

export interface OsSearch<P extends OsProfile> {
  readonly found: FoundOs<P> | null;
  /** The profiles that concluded their OS is not here, in registry order (those never asked are absent). */
  readonly misses: ReadonlyMap<P, OsMiss>;
}

/** The phases of discovery: every profile's container check, then every profile's memory search. */
const PHASES = ['container', 'memory'] as const;
type Phase = (typeof PHASES)[number];

/**
 * Finds the image's OS, stopping at the first found: the container's notes are asked (profiles with
 * `fromContainer`, registry order), then memory is searched (registry order). A profile's outcome is read from the
 * cache before its first step — a remembered miss (DiscoveryCache's build rules) ends its search, a remembered find
 * counts once the image confirms it — and written after a step concludes.
 */
export async function findOs<P extends OsProfile>(
  profiles: readonly P[],
  env: OsEnv,
  cache: DiscoveryCache,
  fingerprint: string,
): Promise<OsSearch<P>> {
  const searches = profiles.map((p) => new ProfileSearch(p, env, cache, `${p.id}/v${p.cacheVersion}/${fingerprint}`));
  const found = await firstFound(searches);
  const misses = new Map<P, OsMiss>();
  for (const s of searches) if (s.miss) misses.set(s.profile, s.miss);
  return { found, misses };
}

async function firstFound<P extends OsProfile>(searches: readonly ProfileSearch<P>[]): Promise<FoundOs<P> | null> {
  for (const phase of PHASES) {
    for (const search of searches) {
      const found = await search.step(phase);
      if (found) return found;
    }
  }
  return null;
}

/** One profile's discovery across the phases. */
class ProfileSearch<P extends OsProfile> {
  miss: OsMiss | undefined;
  private cacheRead = false;

  constructor(
    readonly profile: P,
    private readonly env: OsEnv,
    private readonly cache: DiscoveryCache,
    private readonly key: string,
  ) {}

  /** This phase's step unless the profile has none or has concluded; the OS when found. */
  async step(phase: Phase): Promise<FoundOs<P> | null> {
    const run = phase === 'container' ? this.profile.fromContainer : this.profile.discover;
    if (this.miss || !run) return null;
    if (!this.cacheRead) {
      this.cacheRead = true;
      const cached = await this.cache.get<OsOutcome<object>>(this.key);
      const taken = cached && (await this.take(cached));
      if (taken) return taken.found;
    }
    const outcome = await run.call(this.profile, this.env);
    if (!outcome) return null;
    await this.cache.set(this.key, outcome);
    const taken = await this.take(outcome);
    if (!taken) this.miss = { discovery: null, partial: true, why: 'the kernel image found during discovery could not be read again' };
    return taken ? taken.found : null;
  }

  /** Concludes with an outcome, unless it is a find the image does not confirm (then undefined). */
  private async take(outcome: OsOutcome<object>): Promise<{ found: FoundOs<P> | null } | undefined> {
    if (!outcome.discovery) {
      this.miss = outcome;
      return { found: null };
    }
    const found = await this.profile.confirm(this.env, outcome.discovery);
    return found === null ? undefined : { found: { profile: this.profile, found } };
  }
}
