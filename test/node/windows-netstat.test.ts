/**
 * windows.netstat on generated images of each Windows kernel, against the tables the generator wrote for tcpip.sys
 * (expected.json netstat), read with the trimmed symbol pack written beside the image (the kernel's ISF and the
 * tcpip.pdb ISF tcpip.sys's CodeView record names): the listeners and UDP endpoints of the port pools, the connected
 * endpoints of the partition tables; a connection whose pool tag is wiped shows here and not in windows.netscan,
 * closed ones the reverse; damaged tables (a port the bitmap claims with no object, a looping bucket chain, a smeared
 * compartment set pointer, a looping Next chain) are warnings, never a hang; without tcpip's symbols the run fails
 * naming the tcpip.pdb it needs. Volatility 3's windows.netstat, where it can run, reads the same rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { BuiltWindowsImage } from '../fixtures/windows/generate.ts';
import { writeSymbolPack } from '../fixtures/windows/symbol-pack.ts';
import { tcpipFields } from '../fixtures/windows/tcpip-layouts.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { networkRow, rowValues, sortedRows, volatilityAndExpected } from '../helpers/network-rows.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collect, collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';
import { netscanSkipReason, volatilityOnGeneratedImages, type VolatilityOnImage } from '../helpers/windows-volatility.ts';

const SIZE = 24 * 1024 * 1024;
const offsets = (rows: readonly { values: readonly unknown[] }[]): Set<bigint> => new Set(rows.map((r) => r.values[0] as bigint));

/** A symbol directory holding the image's trimmed pack: the kernel's ISF, and tcpip's unless `withTcpip` is false. */
function packDir(built: BuiltWindowsImage, withTcpip = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-netstat-'));
  writeSymbolPack(dir, built.symbols);
  if (withTcpip && built.tcpipSymbols) writeSymbolPack(dir, built.tcpipSymbols);
  return join(dir, 'symbols');
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.netstat on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async (bytes?: Uint8Array) => {
      const built = await image();
      return openWindowsSession(bytes ?? built.image, { symbolDirs: [packDir(built)] });
    };

    it('the generator wrote the tables: listeners, UDP endpoints, connected endpoints, one the pool scan cannot see', async () => {
      const { netstat, network } = (await image()).expected;
      assert.ok(netstat, 'tcpip tables written');
      assert.deepEqual(new Set(netstat.rows.map((r) => r.proto)), new Set(['TCPv4', 'TCPv6', 'UDPv4', 'UDPv6']));
      const pooled = new Set(network.rows.map((r) => r.offset));
      const tabled = new Set(netstat.rows.map((r) => r.offset));
      assert.equal(netstat.rows.filter((r) => !pooled.has(r.offset)).length, 1, 'one connection only in the tables');
      const untabled = network.rows.filter((r) => !tabled.has(r.offset));
      assert.ok(untabled.length > 0 && untabled.every((r) => r.state === 'CLOSED' || r.state === 'TIME_WAIT'));
      assert.deepEqual(netstat.damaged.map((d) => d.what).sort(), ['ghost port', 'looping bucket']);
    });

    it("gives the generator's rows; the ghost port and the looping bucket are warnings that cost no row", async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.netstat');
      assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(expected.netstat!.rows.map(networkRow)));
      const byAddress = new Map(expected.netstat!.damaged.map((d) => [BigInt(d.address), d.what]));
      assert.deepEqual(
        warnings.map((w) => [w.code, byAddress.get(BigInt(w.address ?? -1)), w.count]).sort(),
        [
          ['SMEAR', 'ghost port', 1],
          ['SMEAR', 'looping bucket', 1],
        ],
        JSON.stringify(warnings),
      );
    });

    it('a connection hidden from the pool scan shows here; closed ones only the pool scan finds', async () => {
      const { expected } = await image();
      const s = await session();
      const [scanned, walked] = [offsets(await collect(s, 'windows.netscan')), offsets(await collect(s, 'windows.netstat'))];
      const onlyWalked = [...walked].filter((o) => !scanned.has(o));
      const hidden = expected.netstat!.rows.filter((r) => !expected.network.rows.some((n) => n.offset === r.offset));
      assert.deepEqual(
        onlyWalked,
        hidden.map((r) => BigInt(r.offset)),
      );
      assert.equal(hidden[0]!.owner, 'svch0st.exe');
      const onlyScanned = expected.network.rows.filter((r) => scanned.has(BigInt(r.offset)) && !walked.has(BigInt(r.offset)));
      assert.ok(onlyScanned.length > 0 && onlyScanned.every((r) => r.state === 'CLOSED' || r.state === 'TIME_WAIT'));
    });

    it('a smeared compartment set pointer costs the UDP rows, a looping Next chain nothing: warnings, no hang', async () => {
      const { image: bytes, expected } = await image();
      const netstat = expected.netstat!;
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      const listener = netstat.rows.find((r) => r.proto === 'TCPv4' && r.localPort === 139)!;
      const next = BigInt(listener.offset) + BigInt(tcpipFields(kernel.build)!.tables.listenerNext);
      const copy = bytes.slice();
      const patch = async (at: bigint, value: bigint) => {
        const physical = await k.vm.translate(at);
        assert.ok(physical !== null);
        new DataView(copy.buffer).setBigUint64(physical, value, true);
      };
      await patch(BigInt(netstat.tcpip.globals['UdpCompartmentSet']!), 0x4141_4141_4141_4141n);
      await patch(next, next);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.netstat');
      assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(netstat.rows.filter((r) => !r.proto.startsWith('UDP')).map(networkRow)));
      const messages = warnings.map((w) => `${w.code} ${w.message}`);
      assert.ok(
        messages.some((m) => m.startsWith('UNREADABLE UdpPortPool')),
        messages.join('\n'),
      );
      assert.ok(
        messages.some((m) => m.startsWith('SMEAR TcpPortPool port 139: Next chain loops')),
        messages.join('\n'),
      );
    });

    it('without the tcpip.pdb table the run fails naming the GUID and age it needs', async () => {
      const built = await image();
      const s = await openWindowsSession(built.image, { symbolDirs: [packDir(built, false)] });
      const { guid, age } = built.expected.netstat!.tcpip.pdb;
      await rejectsWith(collect(s, 'windows.netstat'), 'SYMBOLS_MISSING', `tcpip.pdb GUID ${guid} age ${age}`);
    });
  });
}

describe('windows.netstat on a build without a known tcpip layout', () => {
  it('says so (UNSUPPORTED) before it looks for tcpip, and gives no rows', async () => {
    const built = await windowsImage({ size: SIZE, seed: 11, build: 17134 });
    assert.equal(built.expected.netstat, null);
    const { rows, warnings } = await collectRun(await openWindowsSession(built.image), 'windows.netstat');
    assert.deepEqual(rows, []);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message]),
      [['UNSUPPORTED', 'no tcpip endpoint layout for build 17134']],
    );
  });
});

describe('Volatility 3 reads the same tables from the generated images', { skip: netscanSkipReason() }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  let results: Map<string, VolatilityOnImage>;

  before(async () => {
    results = await volatilityOnGeneratedImages({ size: SIZE, seed: 11 }, ['windows.netstat']);
  });

  for (const kernel of kernels) {
    it(`${kernel.name}: windows.netstat's rows are the generator's`, () => {
      const result = results.get(kernel.name)!;
      const [got, want] = volatilityAndExpected(result, 'windows.netstat', result.expected.netstat!.rows);
      assert.deepEqual(got, want);
    });
  }
});
