/**
 * windows.arp on generated images of each Windows kernel, against the neighbour cache the generator wrote
 * (expected.json neighbours) in the working layout of src/plugins/windows/arp.md: IPv4 and IPv6 entries, every
 * state the image holds (Reachable routers, Stale, Incomplete and Unreachable without MAC, Permanent broadcast and
 * multicast mappings), the interface index; damaged allocations give no row but one counted warning per reason; a
 * smeared Interface or State costs that entry only; a build without a layout says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedNeighbour } from '../fixtures/windows/expected.ts';
import { neighbourFields } from '../fixtures/windows/neighbour-layouts.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

const row = (e: ExpectedNeighbour): unknown[] => [e.family, e.ip, e.mac, e.interface, e.state, e.router, BigInt(e.offset)];
/** Scan order is physical: compare by offset. */
const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => ((a[6] as bigint) < (b[6] as bigint) ? -1 : 1));
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.arp on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async (bytes?: Uint8Array) => openWindowsSession(bytes ?? (await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator wrote IPv4 and IPv6 neighbours in every state it models, and damaged allocations', async () => {
      const { rows, damaged } = (await image()).expected.neighbours;
      assert.deepEqual(new Set(rows.map((r) => r.family)), new Set(['IPv4', 'IPv6']));
      assert.deepEqual(new Set(rows.map((r) => r.state)), new Set(['Reachable', 'Stale', 'Unreachable', 'Incomplete', 'Permanent']));
      assert.ok(rows.some((r) => r.router) && rows.some((r) => r.mac === ''));
      assert.equal(damaged.length, 4);
    });

    it("gives the generator's rows, skipping the damaged allocations with one warning per reason", async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.arp');
      assert.deepEqual(sorted(values(rows)), sorted(expected.neighbours.rows.map(row)));
      assert.equal(
        warnings.reduce((n, w) => n + (w.code === 'SMEAR' ? w.count : 0), 0),
        expected.neighbours.damaged.length,
      );
      assert.ok(warnings.every((w) => w.code === 'SMEAR' && w.message.startsWith("'Ipnb'")));
    });

    it('a smeared Interface or State costs that entry only, with a warning', async () => {
      const { image: bytes, expected } = await image();
      const fields = neighbourFields(kernel.build)!;
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      const [gateway, dns] = expected.neighbours.rows;
      const copy = bytes.slice();
      const physical = async (va: bigint): Promise<number> => {
        const at = await k.vm.translate(va);
        assert.ok(at !== null);
        return at;
      };
      const dv = new DataView(copy.buffer);
      dv.setBigUint64(await physical(BigInt(gateway!.offset) + BigInt(fields.interface)), 0x4141_4141_4141_4141n, true);
      dv.setUint32(await physical(BigInt(dns!.offset) + BigInt(fields.state)), 9, true);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.arp');
      assert.deepEqual(sorted(values(rows)), sorted(expected.neighbours.rows.filter((r) => r !== gateway && r !== dns).map(row)));
      assert.equal(
        warnings.reduce((n, w) => n + w.count, 0),
        expected.neighbours.damaged.length + 2,
      );
    });
  });
}

describe('windows.arp on a build without a neighbour layout', () => {
  it('says so (UNSUPPORTED) and gives no rows', async () => {
    const { image } = await windowsImage({ size: SIZE, seed: 11, build: 17134 });
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.arp');
    assert.deepEqual(rows, []);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message]),
      [['UNSUPPORTED', 'no tcpip neighbour layout for build 17134']],
    );
  });
});
