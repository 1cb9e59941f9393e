import type { NetworkEndpoint } from '../../plugins/api/windows.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import { filetimeToIso } from './filetime.ts';
import type { Carved } from './pool-carve.ts';
import { looksLikeProcess, processFromView } from './process.ts';
import {
  ADDRINFO_LOCAL,
  ADDRINFO_REMOTE,
  AF_INET,
  AF_INET6,
  INETAF_ADDRESS_FAMILY,
  LOCAL_ADDRESS_IDENTIFIER,
  TCP_STATES,
  type EndpointLayout,
  type ListenerLayout,
  type TcpipLayout,
} from './tcpip-layouts.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** Volatility's plausible creation years (exclusive bounds). */
const MIN_YEAR = 1950;
const MAX_YEAR = 2200;
const MAX_PID = 65535;

export type EndpointKind = 'listener' | 'endpoint' | 'udp';
export const KIND_NAMES: Readonly<Record<EndpointKind, string>> = { listener: 'TCP listener', endpoint: 'TCP endpoint', udp: 'UDP endpoint' };
/** Why an object of a kind gives no row (what the reader checks, as Volatility 3's is_valid). */
export const INVALID_BECAUSE: Readonly<Record<EndpointKind, string>> = {
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

/** The fields of one kind of tcpip object in a build's layout. */
export function kindFields(layout: TcpipLayout, kind: EndpointKind): ListenerLayout | EndpointLayout {
  return kind === 'endpoint' ? layout.endpoint : kind === 'listener' ? layout.listener : layout.udp;
}

/** Widths of the fields that are not 8-byte pointers or FILETIMEs. */
const NARROW_FIELDS: Readonly<Record<string, number>> = { port: 2, localPort: 2, remotePort: 2, state: 4 };

/** Bytes of the structure the reads touch (the last field's end). */
export function extent(fields: ListenerLayout | EndpointLayout): number {
  const ends = Object.entries(fields)
    .filter(([name]) => name !== 'size')
    .map(([name, offset]) => offset + (NARROW_FIELDS[name] ?? 8));
  return Math.max(...ends);
}

/**
 * Reads tcpip.sys's endpoint structures (see tcpip-layouts.ts) into Volatility 3's netscan/netstat rows, checked as
 * its is_valid checks them; owners are read once per _EPROCESS address.
 */
export class EndpointReader {
  private readonly owners = new Map<bigint, Promise<Owner>>();

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly layout: TcpipLayout,
  ) {}

  /** The rows of one structure; null when its contents are not a valid object of its kind. */
  async rows(c: Carved, kind: EndpointKind): Promise<NetworkEndpoint[] | null> {
    if (kind === 'endpoint') {
      const row = await this.endpoint(c, this.layout.endpoint);
      return row && [row];
    }
    return this.socket(c, kind === 'listener' ? this.layout.listener : this.layout.udp, kind === 'udp');
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

function createTime(filetime: bigint): string | null {
  const iso = filetimeToIso(filetime);
  const year = iso === null ? 0 : new Date(iso).getUTCFullYear();
  return year > MIN_YEAR && year < MAX_YEAR ? iso : null;
}
