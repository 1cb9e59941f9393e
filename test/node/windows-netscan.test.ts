/**
 * windows.netscan on generated images of each Windows kernel, against the tcpip endpoints the generator wrote
 * (expected.json network): TCP listeners, TCP endpoints and UDP endpoints, IPv4 and IPv6 (RFC 5952 text), dual-stack
 * sockets as two rows, owners (a hidden and an exited process's among them, none for a TIME_WAIT endpoint), creation
 * times; damaged allocations give no row but one counted warning per tag; a smeared pointer costs values, not the
 * run; a build without a known layout says so. Volatility 3's windows.netscan, where it can run, reads the same rows.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedNetworkRow } from '../fixtures/windows/expected.ts';
import { tcpipFields } from '../fixtures/windows/tcpip-layouts.ts';
import { networkRow, rowValues, sortedRows, volatilityAndExpected } from '../helpers/network-rows.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';
import { netscanSkipReason, volatilityOnGeneratedImages, type VolatilityOnImage } from '../helpers/windows-volatility.ts';

const SIZE = 24 * 1024 * 1024;

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.netscan on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator wrote listeners and endpoints over IPv4 and IPv6, dual-stack sockets, and damaged allocations', async () => {
      const { rows, damaged } = (await image()).expected.network;
      assert.deepEqual(new Set(rows.map((r) => r.proto)), new Set(['TCPv4', 'TCPv6', 'UDPv4', 'UDPv6']));
      const offsets = rows.map((r) => r.offset);
      assert.ok(offsets.length > new Set(offsets).size, 'a socket bound to no address gives a v4 and a v6 row');
      assert.ok(rows.some((r) => r.pid === null && r.created === null));
      assert.deepEqual([...new Set(damaged.map((d) => d.tag))].sort(), ['TcpE', 'TcpL', 'UdpA']);
    });

    it("gives the generator's rows, skipping the damaged allocations with one warning per tag", async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.netscan');
      assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(expected.network.rows.map(networkRow)));
      const damaged = new Set(expected.network.damaged.map((d) => BigInt(d.offset)));
      assert.ok(!rows.some((r) => damaged.has(r.values[0] as bigint)));
      assert.deepEqual(warnings.map((w) => [w.code, w.message.slice(0, 6), w.count]).sort(), [
        ['SMEAR', "'TcpE'", 2],
        ['SMEAR', "'UdpA'", 1],
      ]);
    });

    it('a smeared AddrInfo costs an endpoint its addresses, a smeared InetAF a listener its rows; the rest stays', async () => {
      const { image: bytes, expected } = await image();
      const fields = tcpipFields(kernel.build)!;
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      const established = expected.network.rows.find((r) => r.owner === 'svch0st.exe' && r.state === 'ESTABLISHED')!;
      const listener = expected.network.rows.find((r) => r.proto === 'TCPv4' && r.localPort === 139)!;
      const copy = bytes.slice();
      for (const at of [BigInt(established.offset) + BigInt(fields.endpoint.addrInfo), BigInt(listener.offset) + BigInt(fields.listener.inetAf)]) {
        const physical = await k.vm.translate(at);
        assert.ok(physical !== null);
        new DataView(copy.buffer).setBigUint64(physical, 0x4141_4141_4141_4141n, true);
      }
      const { rows, warnings } = await collectRun(await openWindowsSession(copy, { symbolDirs: [kernel.symbolDir] }), 'windows.netscan');
      const want = expected.network.rows
        .filter((r) => r !== listener)
        .map((r) => (r === established ? { ...r, localAddr: null, foreignAddr: null } : r))
        .map((r) => networkRow(r as ExpectedNetworkRow));
      assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(want));
      assert.ok(warnings.some((w) => w.message.startsWith("'TcpL'")));
    });
  });
}

describe('windows.netscan on a build without a known tcpip layout', () => {
  it('says so (UNSUPPORTED) and gives no rows', async () => {
    const { image } = await windowsImage({ size: SIZE, seed: 11, build: 17134 });
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.netscan');
    assert.deepEqual(rows, []);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message]),
      [['UNSUPPORTED', 'no tcpip endpoint layout for build 17134']],
    );
  });
});

describe('Volatility 3 reads the same endpoints from the generated images', { skip: netscanSkipReason() }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  let results: Map<string, VolatilityOnImage>;

  before(async () => {
    results = await volatilityOnGeneratedImages({ size: SIZE, seed: 11 }, ['windows.netscan']);
  });

  for (const kernel of kernels) {
    it(`${kernel.name}: windows.netscan's rows are the generator's`, () => {
      const result = results.get(kernel.name)!;
      const [got, want] = volatilityAndExpected(result, 'windows.netscan', result.expected.network.rows);
      assert.deepEqual(got, want);
    });
  }
});
