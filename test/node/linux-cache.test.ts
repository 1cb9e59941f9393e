import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { cacheWithNoOsFound } from '../helpers/cached-no-os.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect, openLinuxSession } from '../helpers/linux-session.ts';

/** Remembers which keys were written. */
class RecordingCache extends MemoryKeyValueCache {
  readonly written = new Set<string>();
  override async set(key: string, value: unknown): Promise<void> {
    this.written.add(key);
    return super.set(key, value);
  }
}

describe('the Linux symbol cache', { skip: linuxFixtureSkipReason() }, () => {
  it('is keyed by the kernel banner: another capture of the same kernel reuses the decoded kallsyms, with the same results', async () => {
    const cache = new MemoryKeyValueCache();
    const raw = await openLinuxSession('linux-a.raw', { discoveryCache: cache });
    assert.equal(raw.summary.symbols, 'BTF + kallsyms in the image');
    const first = await collect(raw, 'linux.pslist');
    await raw.close();

    const elf = await openLinuxSession('linux-a.elf', { discoveryCache: cache });
    assert.equal(elf.summary.symbols, 'BTF + kallsyms in the image (kallsyms from cache)');
    assert.deepEqual(await collect(elf, 'linux.pslist'), first);
    await elf.close();

    const again = await openLinuxSession('linux-a.raw', { discoveryCache: cache });
    assert.equal(again.summary.symbols, 'BTF + kallsyms in the image (kallsyms from cache)');
    assert.deepEqual(await collect(again, 'linux.pslist'), first);
    await again.close();
  });

  it('an unreadable cache entry is ignored: kallsyms are decoded again', async () => {
    const cache = new RecordingCache();
    const s = await openLinuxSession('linux-a.elf', { discoveryCache: cache });
    await s.close();
    const keys = [...cache.written].filter((k) => k.startsWith('linux-symbols/'));
    assert.equal(keys.length, 1);
    await cache.set(keys[0]!, { kaslrOffset: '0x0', symbols: { names: 'a\nb', types: 'T', addresses: 'zz' } });
    const again = await openLinuxSession('linux-a.elf', { discoveryCache: cache });
    assert.equal(again.summary.symbols, 'BTF + kallsyms in the image');
    assert.equal((await collect(again, 'linux.pslist')).length, (linuxTruth()['processes'] as unknown[]).length);
    await again.close();
  });

  it('"no OS found" is reused by the build that cached it only: another build finds the kernel in memory again', async () => {
    const source = await NodeFileSource.open(await linuxFixtureFile('linux-a.raw'));
    const cache = await cacheWithNoOsFound(source, 'build-a');
    await source.close();
    const same = await openLinuxSession('linux-a.raw', { discoveryCache: cache, buildId: 'build-a' });
    assert.equal(same.summary.os, null);
    await same.close();

    const other = await openLinuxSession('linux-a.raw', { discoveryCache: cache, buildId: 'build-b' });
    assert.equal(other.summary.os, 'linux');
    assert.equal((await collect(other, 'linux.pslist')).length, (linuxTruth()['processes'] as unknown[]).length);
    await other.close();
  });

  it('a remembered discovery that does not fit the image is discovered again', async () => {
    const cache = new RecordingCache();
    const first = await openLinuxSession('linux-a.elf', { discoveryCache: cache });
    const dtb = first.summary.dtb;
    await first.close();
    const key = [...cache.written].find((k) => k.startsWith('linux/'))!;
    const remembered = (await cache.get(key)) as { discovery: Record<string, unknown> };
    await cache.set(key, { discovery: { ...remembered.discovery, dtb: 0x1000 } });
    const again = await openLinuxSession('linux-a.elf', { discoveryCache: cache });
    assert.equal(again.summary.dtb, dtb);
    assert.equal((await collect(again, 'linux.pslist')).length, (linuxTruth()['processes'] as unknown[]).length);
    await again.close();
  });
});
