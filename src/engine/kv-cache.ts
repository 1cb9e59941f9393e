/** A small persistent key → JSON value store (discovery results per image). */
export interface KeyValueCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** Keeps values for this process only. */
export class MemoryKeyValueCache implements KeyValueCache {
  private readonly map: Map<string, unknown>;

  /** `entries`: what it starts with, e.g. the entries another worker's session used for the same image. */
  constructor(entries: Iterable<readonly [string, unknown]> = []) {
    this.map = new Map(entries);
  }

  async get(key: string): Promise<unknown> {
    return this.map.get(key);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.map.set(key, value);
  }
}
