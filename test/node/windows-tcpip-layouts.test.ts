/**
 * tcpip.sys's layouts per build range (src/os/windows/tcpip-layouts.ts; the sources in
 * src/plugins/windows/tcpip-layouts.md): which table each build gets; the tables taken from Volatility 3 are its
 * netscan tables, field by field; and the Windows 11 24H2 layout, taken from MemProcFS, which no kernel ISF here can
 * back with a real image: the generator writes tcpip's objects at 24H2's offsets (its own copy of them,
 * test/fixtures/windows/tcpip-layouts.ts) into an image of the 19041 kernel that reports build 26100, and
 * windows.netscan and windows.netstat must read back its listeners, UDP endpoints and connections — IPv4 and IPv6
 * addresses, ports, states, owners, creation times.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tcpipLayout, type ListenerLayout, type TcpipLayout } from '../../src/os/windows/tcpip-layouts.ts';
import { writeSymbolPack } from '../fixtures/windows/symbol-pack.ts';
import { networkRow, rowValues, sortedRows } from '../helpers/network-rows.ts';
import { extractVolatilitySource, volatilitySkipReason } from '../helpers/volatility.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const BUILD_24H2 = 26100;

describe('the tcpip layout of each build', () => {
  it("is Volatility 3 2.11's table for the builds it lists, 20348's up to 24H2, MemProcFS's from 24H2 on, none before 17763", () => {
    // Volatility's x64 version table lists 17763, 18362, 18363, 19041 and 20348; MemProcFS's vmmnet.c branches at 26100.
    const chosen: [number, string | null][] = [
      [17134, null],
      [17762, null],
      [17763, 'win10-17763-x64'],
      [18362, 'win10-18362-x64'],
      [18363, 'win10-18363-x64'],
      [19041, 'win10-19041-x64'],
      [19045, 'win10-19041-x64'],
      [20348, 'win10-20348-x64'],
      [22000, 'win10-20348-x64'],
      [22621, 'win10-20348-x64'],
      [22631, 'win10-20348-x64'],
      [25398, 'win10-20348-x64'],
      [26099, 'win10-20348-x64'],
      [26100, 'memprocfs-26100-x64'],
      [26200, 'memprocfs-26100-x64'],
    ];
    assert.deepEqual(
      chosen.map(([build]) => [build, tcpipLayout(build)?.name ?? null]),
      chosen,
    );
  });

  it("24H2's listener and UDP endpoint are 20348's with every field 8 bytes later, Next included; its TCP endpoint is 20348's", () => {
    const [fe, ge] = [tcpipLayout(20348)!, tcpipLayout(BUILD_24H2)!];
    const offsets = ({ size: _size, ...fields }: ListenerLayout): Record<string, number> => fields;
    const moved = (fields: Record<string, number>) => Object.fromEntries(Object.entries(fields).map(([name, at]) => [name, at + 8]));
    assert.deepEqual(offsets(ge.listener), moved(offsets(fe.listener)));
    assert.deepEqual(offsets(ge.udp), moved(offsets(fe.udp)));
    assert.deepEqual(ge.tables, { ...fe.tables, listenerNext: fe.tables.listenerNext + 8, udpNext: fe.tables.udpNext + 8 });
    assert.deepEqual(ge.endpoint, fe.endpoint);
    // The least allocation a scan accepts covers every field read: Next's end for a listener, as on 19041.
    assert.equal(ge.listener.size, ge.tables.listenerNext + 8);
    assert.ok(ge.udp.size >= ge.udp.localAddr + 8);
  });
});

/** One structure of a Volatility netscan table: its size and its fields' offsets. */
interface VolatilityType {
  readonly size: number;
  readonly fields: Readonly<Record<string, { readonly offset: number }>>;
}

describe("Volatility 3's netscan tables", { skip: volatilitySkipReason() }, () => {
  it('are what the layouts taken from them hold, field by field', () => {
    const source = extractVolatilitySource(mkdtempSync(join(tmpdir(), 'memscope-vol-')));
    for (const build of [17763, 18362, 18363, 19041, 20348]) {
      const file = join(source, 'volatility3/framework/symbols/windows/netscan', `netscan-win10-${build}-x64.json`);
      const types = (JSON.parse(readFileSync(file, 'utf8')) as { user_types: Record<string, VolatilityType> }).user_types;
      const at = (type: string, field: string) => types[type]!.fields[field]!.offset;
      const want: Omit<TcpipLayout, 'name' | 'endpointTags'> = {
        listener: {
          size: types['_TCP_LISTENER']!.size,
          inetAf: at('_TCP_LISTENER', 'InetAF'),
          owner: at('_TCP_LISTENER', 'Owner'),
          createTime: at('_TCP_LISTENER', 'CreateTime'),
          localAddr: at('_TCP_LISTENER', 'LocalAddr'),
          port: at('_TCP_LISTENER', 'Port'),
        },
        endpoint: {
          size: types['_TCP_ENDPOINT']!.size,
          inetAf: at('_TCP_ENDPOINT', 'InetAF'),
          addrInfo: at('_TCP_ENDPOINT', 'AddrInfo'),
          state: at('_TCP_ENDPOINT', 'State'),
          localPort: at('_TCP_ENDPOINT', 'LocalPort'),
          remotePort: at('_TCP_ENDPOINT', 'RemotePort'),
          owner: at('_TCP_ENDPOINT', 'Owner'),
          createTime: at('_TCP_ENDPOINT', 'CreateTime'),
        },
        udp: {
          size: types['_UDP_ENDPOINT']!.size,
          inetAf: at('_UDP_ENDPOINT', 'InetAF'),
          owner: at('_UDP_ENDPOINT', 'Owner'),
          createTime: at('_UDP_ENDPOINT', 'CreateTime'),
          localAddr: at('_UDP_ENDPOINT', 'LocalAddr'),
          port: at('_UDP_ENDPOINT', 'Port'),
        },
        tables: {
          listenerNext: at('_TCP_LISTENER', 'Next'),
          udpNext: at('_UDP_ENDPOINT', 'Next'),
          endpointLinks: at('_TCP_ENDPOINT', 'ListEntry'),
          portBitmap: at('_INET_PORT_POOL', 'PortBitMap'),
          portAssignments: at('_INET_PORT_POOL', 'PortAssignments'),
          assignmentSize: types['_PORT_ASSIGNMENT_ENTRY']!.size,
          assignmentEntry: at('_PORT_ASSIGNMENT_ENTRY', 'Entry'),
          partitionSize: types['_PARTITION']!.size,
        },
      };
      const { name, endpointTags: _tags, ...layout } = tcpipLayout(build)!;
      assert.equal(name, `win10-${build}-x64`);
      assert.deepEqual(layout, want, `build ${build}`);
    }
  });
});

describe('windows.netscan and windows.netstat on an image laid out as Windows 11 24H2 (the 19041 kernel, build 26100)', () => {
  const image = () => windowsImage({ size: SIZE, seed: 11, build: BUILD_24H2 });

  it('the generator wrote listeners, UDP endpoints and connections over IPv4 and IPv6, with owners and creation times', async () => {
    const { expected } = await image();
    assert.equal(expected.kernel.version.build, BUILD_24H2);
    const { rows } = expected.network;
    assert.deepEqual(new Set(rows.map((r) => r.proto)), new Set(['TCPv4', 'TCPv6', 'UDPv4', 'UDPv6']));
    assert.ok(rows.some((r) => r.state === 'LISTENING') && rows.some((r) => r.state === 'ESTABLISHED'));
    assert.ok(rows.filter((r) => r.pid !== null).every((r) => r.owner !== null && r.created !== null));
  });

  it("windows.netscan gives the generator's rows, the damaged allocations skipped", async () => {
    const { image: bytes, expected } = await image();
    const { rows, warnings } = await collectRun(await openWindowsSession(bytes), 'windows.netscan');
    assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(expected.network.rows.map(networkRow)));
    assert.deepEqual(warnings.map((w) => [w.code, w.message.slice(0, 6), w.count]).sort(), [
      ['SMEAR', "'TcpE'", 2],
      ['SMEAR', "'UdpA'", 1],
    ]);
  });

  it("windows.netstat follows 24H2's Next fields through the port pools: the generator's rows", async () => {
    const built = await image();
    const dir = mkdtempSync(join(tmpdir(), 'memscope-tcpip-'));
    writeSymbolPack(dir, built.symbols);
    writeSymbolPack(dir, built.tcpipSymbols!);
    const { rows } = await collectRun(await openWindowsSession(built.image, { symbolDirs: [join(dir, 'symbols')] }), 'windows.netstat');
    const netstat = built.expected.netstat!;
    assert.ok(netstat.rows.some((r) => r.state === 'LISTENING') && netstat.rows.some((r) => r.proto.startsWith('UDP')));
    assert.deepEqual(sortedRows(rowValues(rows)), sortedRows(netstat.rows.map(networkRow)));
  });
});
