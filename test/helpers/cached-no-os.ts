import { randomBytes } from 'node:crypto';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { imageFingerprint } from '../../src/engine/image-fingerprint.ts';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ByteSource } from '../../src/io/byte-source.ts';
import { MemorySource } from '../../src/io/memory-source.ts';

/** Keeps what was written, by key. */
class RecordingCache extends MemoryKeyValueCache {
  readonly written = new Map<string, unknown>();
  override async set(key: string, value: unknown): Promise<void> {
    this.written.set(key, value);
    return super.set(key, value);
  }
}

/**
 * A discovery cache holding, under `image`'s keys, the "no OS found" that build `buildId` concluded (and wrote)
 * for memory that holds no OS: what a build whose discovery missed the image's OS would have left behind.
 */
export async function cacheWithNoOsFound(image: ByteSource, buildId: string | undefined): Promise<MemoryKeyValueCache> {
  const noise = new MemorySource(new Uint8Array(randomBytes(4 * 1024 * 1024)), 'noise.raw');
  const written = new RecordingCache();
  const env = await createNodeEnv({ symbolDirs: [], cache: false });
  await (await openSession(noise, { ...env, discoveryCache: written, buildId })).close();
  if (written.written.size !== 2 || [...written.written.values()].some((v) => (v as { discovery: unknown }).discovery !== null)) {
    throw new Error(`expected a Windows and a Linux "no OS found", got ${JSON.stringify([...written.written])}`);
  }
  const [from, to] = [await imageFingerprint(noise), await imageFingerprint(image)];
  const cache = new MemoryKeyValueCache();
  for (const [key, value] of written.written) await cache.set(key.replace(from, to), value);
  return cache;
}
