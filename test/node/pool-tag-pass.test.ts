import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { MemoryKeyValueCache, type KeyValueCache } from '../../src/engine/kv-cache.ts';
import type { ScanService } from '../../src/engine/scan-service.ts';
import { isMemscopeError } from '../../src/errors.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import type { Session } from '../../src/engine/session.ts';
import { collect, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const OPTIONS = { size: 32 * 1024 * 1024, seed: 5 };
/** Every plugin that pool-scans physical memory. */
const POOL_SCANS = [
  'windows.psscan',
  'windows.thrdscan',
  'windows.netscan',
  'windows.arp',
  'windows.filescan',
  'windows.mutantscan',
  'windows.symlinkscan',
  'windows.modscan',
  'windows.driverscan',
  'windows.psxview',
];

/** A session whose scanner counts the tag scans it is asked for; `discoveryCache` is what it keeps results in. */
async function countingSession(image: Uint8Array, discoveryCache?: KeyValueCache) {
  const { scanner } = await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false });
  const counted = { tagScans: 0 };
  const counting: ScanService = {
    scan(layer, spec, control) {
      if (spec.kind === 'tags') counted.tagScans++;
      return scanner.scan(layer, spec, control);
    },
  };
  return { session: await openWindowsSession(image, { scanner: counting, ...(discoveryCache && { discoveryCache }) }), counted };
}

/** The plugin's rows in a session of its own (a pass for it alone). */
async function alone(image: Uint8Array, plugin: string): Promise<PluginRow[]> {
  const session = await openWindowsSession(image);
  try {
    return await collect(session, plugin);
  } finally {
    await session.close();
  }
}

/** Runs the plugin until `abort` (a CANCELLED end is expected). */
async function runUntilCancelled(session: Session, plugin: string, abort: AbortController, onProgress?: Progress): Promise<void> {
  await assert.rejects(
    (async () => {
      for await (const _ of session.run(plugin, {}, { signal: abort.signal, onProgress }));
    })(),
    (e) => isMemscopeError(e) && e.code === 'CANCELLED',
  );
}

type Progress = (done: number, total: number, stage: string) => void;
const whenScanning =
  (then: () => void): Progress =>
  (_d, _t, stage) => {
    if (stage.startsWith('scanning physical memory')) then();
  };

describe('one pass over physical memory serves every pool scan of a session', () => {
  it('every pool-scan plugin after the first reads no memory again, with the rows it finds alone', async () => {
    const { image } = await windowsImage(OPTIONS);
    const { session, counted } = await countingSession(image);
    for (const plugin of POOL_SCANS) {
      assert.deepEqual(await collect(session, plugin), await alone(image, plugin), plugin);
    }
    assert.equal(counted.tagScans, 1, 'physical memory scanned for pool tags once');
  });

  it('two runs at once read the same pass; cancelling one leaves the other whole', async () => {
    const { image } = await windowsImage(OPTIONS);
    const { session, counted } = await countingSession(image);
    // psscan is cancelled once thrdscan reads the pass too.
    const abort = new AbortController();
    const threads = (async () => {
      const rows: PluginRow[] = [];
      for await (const row of session.run('windows.thrdscan', {}, { onProgress: whenScanning(() => abort.abort()) })) rows.push(row);
      return rows;
    })();
    await runUntilCancelled(session, 'windows.psscan', abort);
    assert.deepEqual(await threads, await alone(image, 'windows.thrdscan'));
    assert.deepEqual(await threads, await alone(image, 'windows.thrdscan'));
    assert.equal(counted.tagScans, 1);
  });

  it('a pass every run left before it ended starts again for the next run', async () => {
    const { image } = await windowsImage(OPTIONS);
    const { session, counted } = await countingSession(image);
    const abort = new AbortController();
    await runUntilCancelled(
      session,
      'windows.psscan',
      abort,
      whenScanning(() => abort.abort()),
    );
    assert.deepEqual(await collect(session, 'windows.psscan'), await alone(image, 'windows.psscan'));
    assert.equal(counted.tagScans, 2);
  });
});

describe('a finished pass is kept with the image: the next session on it scans nothing', () => {
  it('a second session with the same cache answers every pool scan from the kept hits, with the same rows', async () => {
    const { image } = await windowsImage(OPTIONS);
    const cache = new MemoryKeyValueCache();
    const first = await countingSession(image, cache);
    const rows = await collect(first.session, 'windows.psscan');
    await first.session.close();
    assert.equal(first.counted.tagScans, 1);
    const second = await countingSession(image, cache);
    try {
      assert.deepEqual(await collect(second.session, 'windows.psscan'), rows);
      for (const plugin of POOL_SCANS) assert.deepEqual(await collect(second.session, plugin), await alone(image, plugin), plugin);
      assert.equal(second.counted.tagScans, 0, 'no scan of physical memory');
    } finally {
      await second.session.close();
    }
  });

  it('kept hits that no longer hold their tags (another image under the same name) are dropped and memory is scanned', async () => {
    const { image } = await windowsImage(OPTIONS);
    const cache = new MemoryKeyValueCache();
    const first = await countingSession(image, cache);
    const rows = await collect(first.session, 'windows.psscan');
    await first.session.close();
    // Every kept hit moved by 16 bytes: the addresses no longer hold the tags they are filed under.
    const kept = [...(cache as unknown as { map: Map<string, { deltas: number[] }> }).map].filter(([key]) => key.startsWith('windows/pool-tags/'));
    assert.equal(kept.length, 1, 'one pass kept');
    kept[0]![1].deltas[0]! += 16;
    const second = await countingSession(image, cache);
    try {
      assert.deepEqual(await collect(second.session, 'windows.psscan'), rows);
      assert.equal(second.counted.tagScans, 1, 'scanned again');
    } finally {
      await second.session.close();
    }
  });
});
