import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { enrichUrl } from '../enrich/api-url.ts';

/** What the page keeps to ask Umbrella Investigate: the API key and the API's base URL (checked by enrichUrl when saved). */
export interface UmbrellaSettings {
  readonly key: string;
  readonly baseUrl: string;
}

const UMBRELLA = 'umbrella';

/**
 * The enrichment settings the user saved, in IndexedDB (database `memscope-enrichment`, object store `settings`):
 * never in the URL, the exports or a message. No entry (the default) is enrichment off: nothing is ever sent.
 * The page writes them; the lookup frame (umbrella-frame.ts) reads them, same origin.
 */
export class IdbEnrichmentSettings {
  private readonly store: UseStore;

  constructor(dbName = 'memscope-enrichment') {
    this.store = createStore(dbName, 'settings');
  }

  /** The saved Umbrella settings; undefined when none are (or what is stored is not them, or an address no key may go to). */
  async umbrella(): Promise<UmbrellaSettings | undefined> {
    const value: unknown = await get(UMBRELLA, this.store);
    if (typeof value !== 'object' || value === null) return undefined;
    const { key, baseUrl } = value as Record<string, unknown>;
    if (typeof key !== 'string' || typeof baseUrl !== 'string') return undefined;
    try {
      return { key, baseUrl: enrichUrl(baseUrl, 'the saved API address') };
    } catch {
      return undefined;
    }
  }

  async setUmbrella(settings: UmbrellaSettings): Promise<void> {
    await set(UMBRELLA, { key: settings.key, baseUrl: settings.baseUrl }, this.store);
  }

  async removeUmbrella(): Promise<void> {
    await del(UMBRELLA, this.store);
  }
}
