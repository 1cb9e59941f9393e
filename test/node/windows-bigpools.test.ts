/**
 * windows.bigpools on generated images of each Windows kernel, against the PoolBigPageTable entries the generator
 * wrote (expected.json): in-use entries in table order, freed ones with --show-free, --tags, Volatility's tag
 * rendering and PoolType names; a tracker without PoolType (Windows 11 builds after 22000, Volatility 3 PR #1632)
 * gives N/A there and nothing else changes; a table size beyond reason reads a bounded prefix with a warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedBigPool } from '../fixtures/windows/expected.ts';
import { writeSymbolPack } from '../fixtures/windows/symbol-pack.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

const row = (e: ExpectedBigPool, poolType: string | null = e.poolType): unknown[] => [
  BigInt(e.allocation),
  e.tag,
  poolType,
  BigInt(e.numberOfBytes),
  e.status,
];
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.bigpools on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator wrote in-use and freed entries, odd tags, and (segment heap) blocks 16 bytes into a page', async () => {
      const { expected } = await image();
      const pools = expected.bigPools;
      assert.ok(pools.some((e) => e.status === 'Free') && pools.some((e) => e.status === 'Allocated'));
      assert.ok(
        pools.some((e) => e.tag.length < 4),
        'a tag with bytes Volatility leaves out',
      );
      const offsets = new Set(pools.map((e) => Number(BigInt(e.allocation) & 0xffen)));
      assert.deepEqual([...offsets].sort(), kernel.build >= 18362 ? [0, 16] : [0]);
    });

    it('lists the in-use entries in table order; --show-free adds the freed ones', async () => {
      const { expected } = await image();
      const s = await session();
      const inUse = await collectRun(s, 'windows.bigpools');
      assert.deepEqual(
        values(inUse.rows),
        expected.bigPools.filter((e) => e.status === 'Allocated').map((e) => row(e)),
      );
      assert.deepEqual(inUse.warnings, []);
      const all = await collectRun(s, 'windows.bigpools', { 'show-free': true });
      assert.deepEqual(
        values(all.rows),
        expected.bigPools.map((e) => row(e)),
      );
    });

    it('--tags keeps the entries whose rendered tag is listed', async () => {
      const { expected } = await image();
      const tags = [...new Set(expected.bigPools.map((e) => e.tag))].slice(0, 2);
      const { rows } = await collectRun(await session(), 'windows.bigpools', { tags: tags.join(','), 'show-free': true });
      assert.deepEqual(
        values(rows),
        expected.bigPools.filter((e) => tags.includes(e.tag)).map((e) => row(e)),
      );
    });

    it('a tracker without PoolType (later Windows 11) shows N/A in that column only', async () => {
      const { image: bytes, expected, symbols } = await image();
      const trimmed = structuredClone(symbols);
      delete trimmed.user_types['_POOL_TRACKER_BIG_PAGES']!.fields['PoolType'];
      const dir = mkdtempSync(join(tmpdir(), 'memscope-bigpools-'));
      writeSymbolPack(dir, trimmed);
      const s = await openWindowsSession(bytes, { symbolDirs: [join(dir, 'symbols')] });
      const { rows } = await collectRun(s, 'windows.bigpools', { 'show-free': true });
      assert.deepEqual(
        values(rows),
        expected.bigPools.map((e) => row(e, null)),
      );
    });
  });
}

describe('a hostile PoolBigPageTableSize', () => {
  it('2^32-1 entries: the table is read up to the first page not in the image, with LIMIT and UNREADABLE warnings', async () => {
    const { image: bytes, expected } = await windowsImage({ size: SIZE, seed: 11 });
    const k = (await (await openWindowsSession(bytes)).kernel('windows')) as WindowsKernel;
    const sizeAt = await k.vm.translate(k.symbolAddress('PoolBigPageTableSize'));
    assert.ok(sizeAt !== null);
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(sizeAt, 0xffff_ffff, true);
    const { rows, warnings } = await collectRun(await openWindowsSession(copy), 'windows.bigpools');
    const inUse = expected.bigPools.filter((e) => e.status === 'Allocated').map((e) => row(e));
    // The real entries first; what follows the table in pool is read as entries too, as Volatility would.
    assert.deepEqual(values(rows).slice(0, inUse.length), inUse);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['LIMIT', 'UNREADABLE'],
    );
  });
});
