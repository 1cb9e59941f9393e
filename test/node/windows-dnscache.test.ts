/**
 * windows.dnscache on generated images of each Windows kernel, against the resolver cache the generator wrote in the
 * DNS Client's svchost.exe (expected.json dnsCache): every cached name and record (A, AAAA, CNAME with a CNAME chain,
 * PTR, MX, SRV, TXT and a type without a name) in walk order, the damaged entry skipped with one warning; the table
 * found in private memory when dnsrslvr.dll's g_HashTable is smeared; 16-byte slots (build 22621 on); --pid; and the
 * hostile variant — a bucket list that loops, a record chain longer than any real one — bounded with a warning each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ENTRY_RECORDS } from '../../src/os/windows/dns-cache.ts';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { CountedWarning, PluginRow } from '../../src/plugins/plugin.ts';
import { ENTRY } from '../fixtures/windows/dns-cache.ts';
import type { ExpectedDnsCache, ExpectedDnsRow } from '../fixtures/windows/expected.ts';
import type { WindowsImageOptions } from '../fixtures/windows/generate.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const TYPES = ['A', 'AAAA', 'CNAME', 'PTR', 'MX', 'SRV', 'TXT'];

const row = (cache: ExpectedDnsCache, r: ExpectedDnsRow): unknown[] => [cache.pid, cache.process, r.name, r.type, r.data, r.ttl, r.section];
const values = (rows: readonly PluginRow[]): unknown[][] => rows.map((r) => [...r.values]);
const warned = (warnings: readonly CountedWarning[]): unknown[][] => warnings.map((w) => [w.code, w.address, w.count]);

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.dnscache on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const options: WindowsImageOptions = { size: SIZE, seed: 11, isfPath: kernel.isfPath };
    const generated = async (extra: Partial<WindowsImageOptions> = {}) => {
      const { image, expected } = await windowsImage({ ...options, ...extra });
      assert.ok(expected.dnsCache, 'the generator wrote a DNS Client');
      return { image, expected, cache: expected.dnsCache };
    };
    const session = (bytes: Uint8Array) => openWindowsSession(bytes, { symbolDirs: [kernel.symbolDir] });

    it('the generator wrote a DNS Client with every record type, a CNAME chain and a damaged entry', async () => {
      const { expected, cache } = await generated();
      const host = expected.processes.find((p) => p.pid === cache.pid)!;
      assert.ok(host.dlls?.some((d) => d.name === 'dnsrslvr.dll'));
      assert.ok(host.commandLine?.includes('-s Dnscache'));
      for (const type of TYPES)
        assert.ok(
          cache.rows.some((r) => r.type === type),
          type,
        );
      assert.ok(
        cache.rows.some((r) => r.section === 'CNAME' && r.type === 'CNAME'),
        'a CNAME reached through a CNAME',
      );
      assert.ok(
        cache.rows.some((r) => r.section === 'CNAME' && r.type === 'A'),
        'an address reached through the chain',
      );
      assert.ok(
        cache.rows.some((r) => !TYPES.includes(r.type)),
        'a type without a name',
      );
      assert.ok(new Set(cache.rows.map((r) => r.entry)).size < cache.rows.length, 'an entry with several records');
      assert.equal(cache.damaged.length, 1);
      assert.equal(cache.slotWidth, kernel.build >= 22621 ? 16 : 8);
    });

    it('lists every record the generator wrote, in walk order, and skips the damaged entry with one warning', async () => {
      const { image, cache } = await generated();
      const { rows, warnings } = await collectRun(await session(image), 'windows.dnscache');
      assert.deepEqual(
        values(rows),
        cache.rows.map((r) => row(cache, r)),
      );
      assert.deepEqual(warned(warnings), [['UNREADABLE', cache.damaged[0]!.entry, 1]]);
    });

    it('--pid: the DNS Client process gives its rows; another process none, and no warning (it is simply not the DNS Client)', async () => {
      const { image, expected, cache } = await generated();
      const s = await session(image);
      assert.equal((await collectRun(s, 'windows.dnscache', { pid: [cache.pid] })).rows.length, cache.rows.length);
      const other = expected.processes.find((p) => p.pid !== cache.pid && p.linked && p.dlls)!;
      const { rows, warnings } = await collectRun(s, 'windows.dnscache', { pid: [other.pid] });
      assert.equal(rows.length, 0);
      assert.deepEqual(warnings, []);
    });

    it("finds the table in the process's private memory when dnsrslvr.dll's g_HashTable is smeared", async () => {
      const { image, expected, cache } = await generated();
      const k = (await (await session(image)).kernel('windows')) as WindowsKernel;
      const host = expected.processes.find((p) => p.pid === cache.pid)!;
      const physical = await k.processLayer(BigInt(host.dtb)).translate(BigInt(cache.globals.hashTable));
      assert.ok(physical !== null);
      const copy = image.slice();
      new DataView(copy.buffer).setBigUint64(physical, 0x4141_4141_4141_4141n, true);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.dnscache');
      assert.deepEqual(
        values(rows),
        cache.rows.map((r) => row(cache, r)),
      );
      assert.deepEqual(warned(warnings), [['UNREADABLE', cache.damaged[0]!.entry, 1]]);
    });

    it('a bucket list ending with a NULL link (not closing on its first entry) is read to its end without a warning', async () => {
      const { image, expected, cache } = await generated();
      const k = (await (await session(image)).kernel('windows')) as WindowsKernel;
      const space = k.processLayer(BigInt(expected.processes.find((p) => p.pid === cache.pid)!.dtb));
      // The last entry of the bucket whose list holds www.microsoft.com's entry and two more.
      const entries = [...new Set(cache.rows.map((r) => r.entry))];
      const last = entries[entries.indexOf(cache.rows.find((r) => r.name === 'www.microsoft.com')!.entry) + 2]!;
      const physical = await space.translate(BigInt(last) + BigInt(ENTRY.links));
      assert.ok(physical !== null);
      const copy = image.slice();
      new DataView(copy.buffer).setBigUint64(physical, 0n, true);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.dnscache');
      assert.deepEqual(
        values(rows),
        cache.rows.map((r) => row(cache, r)),
      );
      assert.deepEqual(warned(warnings), [['UNREADABLE', cache.damaged[0]!.entry, 1]]);
    });

    it('hostile: a looping bucket list and an overlong record chain give bounded rows and a warning each', async () => {
      const { image, cache } = await generated({ hostileDnsCache: true });
      const hostile = cache.hostile!;
      const { rows, warnings } = await collectRun(await session(image), 'windows.dnscache');
      const isLong = (r: PluginRow) => r.values[2] === hostile.longChain.name;
      assert.deepEqual(
        values(rows.filter((r) => !isLong(r))),
        cache.rows.map((r) => row(cache, r)),
      );
      assert.equal(rows.filter(isLong).length, Math.min(MAX_ENTRY_RECORDS, hostile.longChain.records));
      assert.ok(hostile.longChain.records > MAX_ENTRY_RECORDS);
      for (const entry of hostile.loopEntries)
        assert.ok(
          cache.rows.some((r) => r.entry === entry),
          `loop entry ${entry} listed`,
        );
      assert.deepEqual(
        warned(warnings).sort(),
        [
          ['LIMIT', hostile.longChain.entry, 1],
          ['SMEAR', hostile.loopAt, 1],
          ['UNREADABLE', cache.damaged[0]!.entry, 1],
        ].sort(),
      );
    });
  });
}

describe('windows.dnscache on a generated image reporting build 22621 (16-byte slots)', { skip: WINDOWS_KERNELS[1]!.skip }, () => {
  it('reads the table whose slots are list heads', async () => {
    const kernel = WINDOWS_KERNELS[1]!;
    const { image, expected } = await windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath, build: 22621 });
    const cache = expected.dnsCache!;
    assert.equal(cache.slotWidth, 16);
    const { rows, warnings } = await collectRun(await openWindowsSession(image, { symbolDirs: [kernel.symbolDir] }), 'windows.dnscache');
    assert.deepEqual(
      values(rows),
      cache.rows.map((r) => row(cache, r)),
    );
    assert.deepEqual(warned(warnings), [['UNREADABLE', cache.damaged[0]!.entry, 1]]);
  });
});

describe('windows.dnscache on an image without a DNS Client', () => {
  it('gives no rows and one warning naming dnsrslvr.dll', async () => {
    const { image, expected } = await windowsImage({ size: SIZE, seed: 11, processes: 15 });
    assert.equal(expected.dnsCache, null, 'the generator leaves the DNS Client out of its smallest images');
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.dnscache');
    assert.equal(rows.length, 0);
    assert.deepEqual(
      warnings.map((w) => [w.code, /no listed process has dnsrslvr\.dll loaded/.test(w.message)]),
      [['UNREADABLE', true]],
    );
  });
});
