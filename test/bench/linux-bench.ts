import { createNodeEnv } from '../../src/cli/node-env.ts';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { openSession } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';

export interface LinuxFirstRow {
  /** Open (container, discovery, kallsyms, BTF) → first linux.pslist row, empty cache. */
  readonly coldSeconds: number;
  /** The same with the discovery and kallsyms cache the first open filled. */
  readonly cachedSeconds: number;
}

/** Time from opening a Linux capture to the first linux.pslist row, without and with the cache. */
export async function linuxOpenToFirstRow(path: string): Promise<LinuxFirstRow> {
  const cache = new MemoryKeyValueCache();
  const env = await createNodeEnv({ symbolDirs: [], cache: false });
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const session = await openSession(await NodeFileSource.open(path), { ...env, discoveryCache: cache });
    for await (const _ of session.run('linux.pslist', {}, {})) break;
    const seconds = (performance.now() - t0) / 1000;
    await session.close();
    return seconds;
  };
  const coldSeconds = await once();
  return { coldSeconds, cachedSeconds: await once() };
}
