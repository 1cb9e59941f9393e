import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { hex } from '../../src/io/hex.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PluginDefinition } from '../../src/plugins/plugin-definition.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { loadIsf } from '../fixtures/windows/isf.ts';
import { cacheWithNoOsFound } from '../helpers/cached-no-os.ts';
import { collect, collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const OPTIONS = { size: 16 * 1024 * 1024, seed: 11 };

class CountingCache extends MemoryKeyValueCache {
  sets = 0;
  override async set(key: string, value: unknown): Promise<void> {
    this.sets++;
    await super.set(key, value);
  }
}

describe('analysis session', () => {
  it('remembers discovery per image: reopening repeats no discovery', async () => {
    const { image } = await windowsImage(OPTIONS);
    const cache = new CountingCache();
    const first = await openWindowsSession(image, { discoveryCache: cache });
    const second = await openWindowsSession(image, { discoveryCache: cache });
    assert.equal(cache.sets, 1);
    assert.deepEqual(second.summary, first.summary);
  });

  it('ignores a cached discovery that does not fit the image and discovers again', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const cache = new CountingCache();
    await openWindowsSession(image, { discoveryCache: cache });
    const other = await windowsImage({ ...OPTIONS, seed: 12 });
    // Same fingerprint key space, different kernel: poison the entry with the other image's discovery.
    const key = [...(cache as unknown as { map: Map<string, unknown> }).map.keys()][0]!;
    await cache.set(key, {
      discovery: {
        dtb: Number(other.expected.kernel.dtb),
        kernelBase: other.expected.kernel.base,
        pdbName: 'ntkrnlmp.pdb',
        guid: '0'.repeat(32),
        age: 9,
        method: 'low-stub',
      },
    });
    const session = await openWindowsSession(image, { discoveryCache: cache });
    assert.equal(session.summary.dtb, expected.kernel.dtb);
  });

  it('finds Windows again when another build cached "no OS found" for the image', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const cache = await cacheWithNoOsFound(new MemorySource(image, 'generated.raw'), 'build-a');
    const session = await openWindowsSession(image, { discoveryCache: cache, buildId: 'build-b' });
    assert.equal(session.summary.os, 'windows');
    assert.equal(session.summary.dtb, expected.kernel.dtb);
  });

  it('reuses "no OS found" in the very build that cached it', async () => {
    const { image } = await windowsImage(OPTIONS);
    const cache = await cacheWithNoOsFound(new MemorySource(image, 'generated.raw'), 'build-a');
    const session = await openWindowsSession(image, { discoveryCache: cache, buildId: 'build-a' });
    assert.equal(session.summary.os, null);
  });

  it('never reuses "no OS found" without a build identity (run from source)', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const cache = await cacheWithNoOsFound(new MemorySource(image, 'generated.raw'), undefined);
    const session = await openWindowsSession(image, { discoveryCache: cache });
    assert.equal(session.summary.dtb, expected.kernel.dtb);
  });

  it('reuses what was found in any build', async () => {
    const { image } = await windowsImage(OPTIONS);
    const cache = new CountingCache();
    const first = await openWindowsSession(image, { discoveryCache: cache, buildId: 'build-a' });
    const second = await openWindowsSession(image, { discoveryCache: cache, buildId: 'build-b' });
    assert.equal(cache.sets, 1);
    assert.deepEqual(second.summary, first.summary);
  });

  it('says exactly which PDB is needed when symbols are missing (for plugins that need more than the image gives)', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image, { symbolDirs: [] });
    const pdb = expected.kernel.pdb;
    assert.deepEqual(session.summary.missingSymbols, { kind: 'pdb', pdbName: pdb.name, guid: pdb.guid, age: pdb.age, discovered: true });
    assert.equal(session.summary.dtb, expected.kernel.dtb);
    await assert.rejects(collect(session, 'windows.handles'), (e) => {
      assert.ok(isMemscopeError(e));
      assert.equal(e.code, 'SYMBOLS_MISSING');
      assert.match(e.message, new RegExp(`${pdb.name}.*${pdb.guid}.*age ${pdb.age}`));
      assert.match(e.message, new RegExp(`windows/${pdb.name}/${pdb.guid}-${pdb.age}\\.json\\.xz`));
      return true;
    });
  });

  it('reports no OS for memory that holds no Windows kernel, and plugins fail clearly', async () => {
    const session = await openWindowsSession(new Uint8Array(randomBytes(8 * 1024 * 1024)));
    assert.equal(session.summary.os, null);
    await assert.rejects(collect(session, 'windows.pslist'), (e) => isMemscopeError(e) && e.code === 'OS_NOT_FOUND');
  });

  /** A session on an image whose 5th listed process's Flink points back at the 2nd: a cycle that never returns to the head. */
  async function loopedProcessList(plugins?: readonly PluginDefinition[]) {
    const { image, expected } = await windowsImage(OPTIONS);
    const isf = await loadIsf();
    const linksOffset = BigInt(isf.field('_EPROCESS', 'ActiveProcessLinks.Flink').offset);
    const linked = expected.processes.filter((p) => p.linked);
    const smeared = image.slice();
    const target = BigInt(linked[1]!.eprocessVirtual) + linksOffset;
    new DataView(smeared.buffer).setBigUint64(Number(BigInt(linked[4]!.eprocessPhysical) + linksOffset), target, true);
    const loop = {
      code: 'SMEAR',
      message: `process list loops back to ${hex(target)}: walk stopped`,
      address: hex(BigInt(linked[4]!.eprocessVirtual)),
      count: 1,
    };
    return { session: await openWindowsSession(smeared, { plugins }), linked, loop };
  }

  it('stops a process list that loops, keeps what it read, and warns at the _EPROCESS whose link loops', async () => {
    const { session, linked, loop } = await loopedProcessList();
    const { rows, warnings } = await collectRun(session, 'windows.pslist');
    assert.deepEqual(
      rows.map((r) => r.values[0]),
      linked.slice(0, 5).map((p) => p.pid),
    );
    assert.deepEqual(warnings, [loop]);
  });

  it('keeps each run’s warnings apart: a later run does not see or clear an earlier one’s, nor do interleaved runs mix', async () => {
    const { session, loop } = await loopedProcessList();
    const pslist = await collectRun(session, 'windows.pslist');
    const info = await collectRun(session, 'windows.info');
    assert.deepEqual(info.warnings, [], 'windows.info walks no list');
    assert.deepEqual(pslist.warnings, [loop], 'still there after another run');

    // Two runs in flight, a row of each in turn: each has the loop once.
    const runs = [session.run('windows.pslist', {}, {}), session.run('windows.pstree', {}, {})];
    const iterators = runs.map((r) => r[Symbol.asyncIterator]());
    const done = [false, false];
    while (!done.every(Boolean)) {
      for (const [i, it] of iterators.entries()) if (!done[i]) done[i] = (await it.next()).done === true;
    }
    assert.deepEqual(
      runs.map((r) => r.warnings),
      [[loop], [loop]],
    );
    const third = session.run('windows.info', {}, {});
    assert.deepEqual(third.warnings, [], 'a run that has not started has none');
  });

  it('a plugin that reads another (ctx.runPlugin) reports that plugin’s warnings as its own run’s', async () => {
    const counter: PluginDefinition = {
      name: 'test.count',
      version: '1.0.0',
      description: 'Counts the listed processes.',
      requirements: [{ kind: 'plugin', name: 'windows.pslist', version: '^1' }],
      columns: [{ name: 'Processes', type: 'int' }],
      options: [],
      tree: false,
      async *run(ctx) {
        let count = 0;
        for await (const _ of ctx.runPlugin('windows.pslist')) count++;
        yield { depth: 0, values: [count] };
      },
    };
    const { session, loop } = await loopedProcessList([...builtinPlugins, counter]);
    const { rows, warnings } = await collectRun(session, 'test.count');
    assert.deepEqual(
      rows.map((r) => r.values),
      [[5]],
    );
    assert.deepEqual(warnings, [loop]);
  });

  it('stops a run when it is cancelled', async () => {
    const { image } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    // pslist is cancelled after its first row, psscan at its first progress report (mid-scan, before any row).
    for (const [plugin, maxRows] of [
      ['windows.pslist', 1],
      ['windows.psscan', 0],
    ] as const) {
      const abort = new AbortController();
      let rows = 0;
      const control = { signal: abort.signal, onProgress: () => plugin === 'windows.psscan' && abort.abort() };
      await assert.rejects(
        (async () => {
          for await (const _ of session.run(plugin, {}, control)) if (++rows === 1) abort.abort();
        })(),
        (e) => (e as Error).name === 'AbortError' || (isMemscopeError(e) && e.code === 'CANCELLED'),
      );
      assert.equal(rows, maxRows, `${plugin} stopped at the cancel`);
    }
  });

  it('lists the plugins of the detected OS only', async () => {
    const { image } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const names = session.plugins().map((p) => p.name);
    assert.deepEqual(names.sort(), [
      'image.info',
      'windows.arp',
      'windows.bigpools',
      'windows.cmdline',
      'windows.dlllist',
      'windows.dnscache',
      'windows.driverscan',
      'windows.envars',
      'windows.filescan',
      'windows.getsids',
      'windows.handles',
      'windows.info',
      'windows.ldrmodules',
      'windows.malfind',
      'windows.modscan',
      'windows.modules',
      'windows.mounts',
      'windows.mutantscan',
      'windows.netscan',
      'windows.netstat',
      'windows.privileges',
      'windows.pslist',
      'windows.psscan',
      'windows.pstree',
      'windows.psxview',
      'windows.registry.hivelist',
      'windows.registry.hivescan',
      'windows.registry.printkey',
      'windows.registry.userassist',
      'windows.sessions',
      'windows.svcscan',
      'windows.symlinkscan',
      'windows.thrdscan',
      'windows.threads',
      'windows.unloadedmodules',
      'windows.vadinfo',
      'windows.vadyarascan',
      'yarascan.yarascan',
    ]);
  });
});
