import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyValueCache } from '../engine/kv-cache.ts';

/**
 * Node: one JSON file per key in a cache directory (e.g. ~/.cache/memscope). Unreadable entries are misses, and the
 * cache is best effort: a directory that cannot be written (read-only home, full disk) costs speed, not the run —
 * `onWriteFailure` hears of it once.
 */
export class DirectoryKeyValueCache implements KeyValueCache {
  private writeFailed = false;

  constructor(
    private readonly dir: string,
    private readonly onWriteFailure: (message: string) => void = () => undefined,
  ) {}

  async get(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8'));
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, this.file(key));
    } catch (e) {
      if (this.writeFailed) return;
      this.writeFailed = true;
      this.onWriteFailure(`the cache at ${this.dir} cannot be written (${(e as Error).message}): discovery is repeated on every run`);
    }
  }

  private file(key: string): string {
    return join(this.dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }
}
