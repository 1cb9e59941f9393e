import type { ScanService } from '../../engine/scan-service.ts';
import type { NetworkEndpoint } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import { filetimeToIso } from './filetime.ts';
import { layoutForBuild } from './build-layout.ts';
import { carveNonPaged, type Carved } from './pool-carve.ts';
import { scanPoolBlocks, type PoolBlock, type ScanProgress } from './pool-scan.ts';
import { looksLikeProcess, processFromView } from './process.ts';
import {
  ADDRINFO_LOCAL,
  ADDRINFO_REMOTE,
  AF_INET,
  AF_INET6,
  INETAF_ADDRESS_FAMILY,
  LOCAL_ADDRESS_IDENTIFIER,
  TCP_STATES,
  tcpipLayout,
  type EndpointLayout,
  type ListenerLayout,
  type TcpipLayout,
} from './tcpip-layouts.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { NetworkEndpoint };

/** Volatility's plausible creation years (exclusive bounds). */
const MIN_YEAR = 1950;
const MAX_YEAR = 2200;
const MAX_PID = 65535;

type Kind = 'listener' | 'endpoint' | 'udp';
const KIND_NAMES: Readonly<Record<Kind, string>> = { listener: 'TCP listener', endpoint: 'TCP endpoint', udp: 'UDP endpoint' };
const WHY: Readonly<Record<Kind, string>> = {
  listener: 'address family unreadable or unknown',
  endpoint: 'address family unreadable or unknown, unknown state, or neither local address nor owner',
  udp: 'address family unreadable or unknown',
};
type Family = typeof AF_INET | typeof AF_INET6;

interface Owner {
  readonly pid: number | null;
  readonly owner: string | null;
}

const NO_OWNER: Owner = { pid: null, owner: null };

/** Pool-tag scan for tcpip.sys's endpoints (see tcpip-layouts.ts), each allocation carved and checked as Volatility 3 does. */
export async function* scanNetworkEndpoints(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<NetworkEndpoint> {
  const layout = await layoutForBuild(kernel, warn, 'tcpip endpoint', tcpipLayout);
  if (layout === null) return;
  const kinds: Kind[] = ['listener', ...layout.endpointTags.map((): Kind => 'endpoint'), 'udp'];
  const tags = ['TcpL', ...layout.endpointTags, 'UdpA'];
  const reader = new EndpointReader(kernel, layout);
  const blocks = scanPoolBlocks(
    kernel,
    scanner,
    warn,
    tags.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0))),
    'network endpoint',
    control,
  );
  for await (const block of blocks) {
    const kind = kinds[block.tag]!;
    const rows = await reader.read(block, kind);
    if (rows === null) {
      warn({ code: 'SMEAR', message: `'${tags[block.tag]}' pool allocations that hold no valid ${KIND_NAMES[kind]} skipped (${WHY[kind]})` });
      continue;
    }
    yield* rows;
  }
}

class EndpointReader {
  private readonly owners = new Map<bigint, Promise<Owner>>();

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly layout: TcpipLayout,
  ) {}

  /** The rows of one allocation; [] when it is not an endpoint allocation at all, null when its contents are not an endpoint. */
  async read(block: PoolBlock, kind: Kind): Promise<NetworkEndpoint[] | null> {
    if (kind === 'endpoint') {
      const carved = await this.carve(block, this.layout.endpoint);
      if (carved === null) return [];
      const row = await this.endpoint(carved, this.layout.endpoint);
      return row && [row];
    }
    const fields = kind === 'listener' ? this.layout.listener : this.layout.udp;
    const carved = await this.carve(block, fields);
    return carved === null ? [] : this.socket(carved, fields, kind === 'udp');
  }

  /** The structure after the pool header, if the header is Volatility's kind: non-paged or free, at least its size. */
  private carve(block: PoolBlock, fields: ListenerLayout | EndpointLayout): Promise<Carved | null> {
    return carveNonPaged(this.kernel, block, fields.size, extent(fields));
  }

  /** A listener's or UDP endpoint's rows: its bound address, or (bound to none) 0.0.0.0 and, for IPv6, :: too. */
  private async socket(c: Carved, fields: ListenerLayout, udp: boolean): Promise<NetworkEndpoint[] | null> {
    const family = await this.family(c.dv.getBigUint64(fields.inetAf, true));
    if (family === null) return null;
    const localAddr = c.dv.getBigUint64(fields.localAddr, true);
    const identifier = udp ? localAddr : await this.pointer(localAddr + BigInt(LOCAL_ADDRESS_IDENTIFIER));
    const bound = identifier === null ? null : await this.addressAt(await this.pointer(identifier), family);
    const common = {
      offset: c.offset,
      physical: c.physical,
      localPort: c.dv.getUint16(fields.port, false),
      foreignPort: 0,
      state: udp ? '' : 'LISTENING',
      ...(await this.owner(c.dv.getBigUint64(fields.owner, true))),
      createTime: createTime(c.dv.getBigUint64(fields.createTime, true)),
    };
    const row = (v6: boolean, local: string): NetworkEndpoint => ({
      ...common,
      protocol: `${udp ? 'UDP' : 'TCP'}${v6 ? 'v6' : 'v4'}`,
      localAddress: local,
      foreignAddress: udp ? '*' : v6 ? '::' : '0.0.0.0',
    });
    if (bound !== null) return [row(family === AF_INET6, bound)];
    return family === AF_INET6 ? [row(false, '0.0.0.0'), row(true, '::')] : [row(false, '0.0.0.0')];
  }

  private async endpoint(c: Carved, fields: EndpointLayout): Promise<NetworkEndpoint | null> {
    const state = TCP_STATES.get(c.dv.getUint32(fields.state, true));
    const family = await this.family(c.dv.getBigUint64(fields.inetAf, true));
    if (state === undefined || family === null) return null;
    const addrInfo = c.dv.getBigUint64(fields.addrInfo, true);
    const localAddress = await this.pointer(addrInfo + BigInt(ADDRINFO_LOCAL));
    const identifier = localAddress === null ? null : await this.pointer(localAddress + BigInt(LOCAL_ADDRESS_IDENTIFIER));
    const local = identifier === null ? null : await this.addressAt(await this.pointer(identifier), family);
    const owner = await this.owner(c.dv.getBigUint64(fields.owner, true));
    if (local === null && (owner.pid === null || owner.pid > MAX_PID)) return null;
    return {
      offset: c.offset,
      physical: c.physical,
      protocol: family === AF_INET6 ? 'TCPv6' : 'TCPv4',
      localAddress: local,
      localPort: c.dv.getUint16(fields.localPort, false),
      foreignAddress: await this.addressAt(await this.pointer(addrInfo + BigInt(ADDRINFO_REMOTE)), family),
      foreignPort: c.dv.getUint16(fields.remotePort, false),
      state,
      ...owner,
      createTime: createTime(c.dv.getBigUint64(fields.createTime, true)),
    };
  }

  /** _INETAF.AddressFamily when it is AF_INET or AF_INET6; null otherwise or unreadable. */
  private async family(inetAf: bigint): Promise<Family | null> {
    const bytes = await this.kernel.vm.read(inetAf + BigInt(INETAF_ADDRESS_FAMILY), 2);
    const family = bytes && bytes[0]! | (bytes[1]! << 8);
    return family === AF_INET || family === AF_INET6 ? family : null;
  }

  private pointer(address: bigint): Promise<bigint | null> {
    return this.kernel.vm.readU64(BigInt.asUintN(64, address));
  }

  /** The address bytes at `at` as text; null for a NULL or unreadable pointer. */
  private async addressAt(at: bigint | null, family: Family): Promise<string | null> {
    if (at === null || at === 0n) return null;
    const bytes = await this.kernel.vm.read(at, family === AF_INET ? 4 : 16);
    return bytes && (family === AF_INET ? ipv4(bytes) : ipv6(bytes));
  }

  /** The owning process's PID and name, when Owner points at something that looks like an _EPROCESS (PID 0 and "" count as none). */
  private owner(address: bigint): Promise<Owner> {
    let found = this.owners.get(address);
    if (!found) {
      found = this.readOwner(address);
      this.owners.set(address, found);
    }
    return found;
  }

  private async readOwner(address: bigint): Promise<Owner> {
    if (address === 0n) return NO_OWNER;
    const view = await this.kernel.readStruct('_EPROCESS', address);
    if (!view) return NO_OWNER;
    const p = processFromView(view, address, null);
    if (!looksLikeProcess(p)) return NO_OWNER;
    return { pid: p.pid || null, owner: p.name || null };
  }
}

/** Widths of the fields that are not 8-byte pointers or FILETIMEs. */
const NARROW_FIELDS: Readonly<Record<string, number>> = { port: 2, localPort: 2, remotePort: 2, state: 4 };

/** Bytes of the structure the reads touch (the last field's end). */
function extent(fields: ListenerLayout | EndpointLayout): number {
  const ends = Object.entries(fields)
    .filter(([name]) => name !== 'size')
    .map(([name, offset]) => offset + (NARROW_FIELDS[name] ?? 8));
  return Math.max(...ends);
}

function createTime(filetime: bigint): string | null {
  const iso = filetimeToIso(filetime);
  const year = iso === null ? 0 : new Date(iso).getUTCFullYear();
  return year > MIN_YEAR && year < MAX_YEAR ? iso : null;
}
