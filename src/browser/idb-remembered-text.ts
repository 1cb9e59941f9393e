import { createStore, entries, set, type UseStore } from 'idb-keyval';

/** Longest text kept (the page takes dropped rules files up to 4 MiB; rules typed or loaded are rarely more). */
const MAX_TEXT = 4 * 1024 * 1024;

/** Texts kept for options by name (the page's: IdbRememberedText). */
export interface RememberedText {
  all(): Promise<Record<string, string>>;
  remember(option: string, text: string): Promise<void>;
}

/**
 * Texts the user gave plugin options that take a file's text (YARA rules), by option name, in IndexedDB (database
 * `memscope-settings`, object store `remembered-text`): the last one run is there again next time. Nothing leaves
 * this browser.
 */
export class IdbRememberedText implements RememberedText {
  private readonly store: UseStore;

  constructor(dbName = 'memscope-settings') {
    this.store = createStore(dbName, 'remembered-text');
  }

  /** Every remembered text by option name. */
  async all(): Promise<Record<string, string>> {
    const kept: Record<string, string> = {};
    for (const [key, value] of await entries(this.store)) if (typeof key === 'string' && typeof value === 'string') kept[key] = value;
    return kept;
  }

  async remember(option: string, text: string): Promise<void> {
    if (text.length <= MAX_TEXT) await set(option, text, this.store);
  }
}
