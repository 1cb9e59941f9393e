/**
 * Where tcpip.sys (x64) keeps what windows.netscan reports, per build range. The tcpip.pdb symbol files give public
 * symbols only, so these are facts: the offsets of Volatility 3's netscan version tables
 * (volatility3/framework/symbols/windows/netscan/netscan-win10-<build>-x64.json), with its choice of table by build,
 * and from 26100 (Windows 11 24H2) MemProcFS's (vmm/vmmnet.c). src/plugins/windows/tcpip-layouts.md says which
 * source gives what and where they disagree. test/fixtures/windows/tcpip-layouts.ts mirrors this table for the
 * image generator.
 *
 * Each endpoint is a non-paged pool allocation; its structure starts right after the 16-byte _POOL_HEADER:
 *   'TcpL' _TCP_LISTENER, 'TcpE' (and from 20348 'TTcb') _TCP_ENDPOINT, 'UdpA' _UDP_ENDPOINT.
 * The address chains are the same in every build:
 *   InetAF → _INETAF, AddressFamily (u16) at +0x18: 2 (AF_INET) or 0x17 (AF_INET6, Microsoft's value).
 *   Listener LocalAddr → _LOCAL_ADDRESS, +0x10 → identifier, +0 → the address bytes (4 or 16, network order).
 *   Endpoint AddrInfo → _ADDRINFO: +0 → _LOCAL_ADDRESS (as above), +0x10 → the remote address bytes.
 *   UDP LocalAddr → identifier, +0 → the address bytes.
 * Ports are big-endian u16; Owner → _EPROCESS; CreateTime a FILETIME; State a u32 (TcpStates below).
 */

export interface ListenerLayout {
  /** Volatility's structure size: the smallest allocation (BlockSize × 16) it accepts (26100: see LISTENER_24H2). */
  readonly size: number;
  readonly inetAf: number;
  readonly owner: number;
  readonly createTime: number;
  readonly localAddr: number;
  readonly port: number;
}

export interface EndpointLayout {
  readonly size: number;
  readonly inetAf: number;
  readonly addrInfo: number;
  readonly state: number;
  readonly localPort: number;
  readonly remotePort: number;
  readonly owner: number;
  readonly createTime: number;
}

export type UdpLayout = ListenerLayout;

/**
 * What windows.netstat walks from tcpip's globals (Volatility 3's netstat, with the same tables' offsets):
 * TcpCompartmentSet / UdpCompartmentSet → _INET_COMPARTMENT_SET (+0x148) → _INET_COMPARTMENT (+0x20) →
 * _PROTOCOL_COMPARTMENT (+0) → _INET_PORT_POOL: PortBitMap (an nt _RTL_BITMAP) says which ports are taken,
 * PortAssignments[port >> 8] → _PORT_ASSIGNMENT (+0x18) → _PORT_ASSIGNMENT_LIST of 256 entries, whose Entry
 * (low two bits are flags) points at the listener's or UDP endpoint's Next field; Next chains the others bound to
 * that port. PartitionTable → PartitionCount _PARTITIONs, each +8 → an nt _RTL_DYNAMIC_HASH_TABLE of established
 * _TCP_ENDPOINTs linked through their ListEntry.
 */
export interface TableLayout {
  readonly listenerNext: number;
  readonly udpNext: number;
  readonly endpointLinks: number;
  readonly portBitmap: number;
  readonly portAssignments: number;
  /** _PORT_ASSIGNMENT_ENTRY: its size (the array's stride) and where Entry is in it. */
  readonly assignmentSize: number;
  readonly assignmentEntry: number;
  readonly partitionSize: number;
}

export interface TcpipLayout {
  /** The source's table: Volatility's ("win10-19041-x64"), or MemProcFS's build branch ("memprocfs-26100-x64"). */
  readonly name: string;
  readonly listener: ListenerLayout;
  readonly endpoint: EndpointLayout;
  readonly udp: UdpLayout;
  /** Pool tags of _TCP_ENDPOINT allocations. */
  readonly endpointTags: readonly string[];
  readonly tables: TableLayout;
}

export const INETAF_ADDRESS_FAMILY = 0x18;
export const LOCAL_ADDRESS_IDENTIFIER = 0x10;
export const ADDRINFO_LOCAL = 0;
export const ADDRINFO_REMOTE = 0x10;
export const COMPARTMENT_SET_INET_COMPARTMENT = 0x148;
export const INET_COMPARTMENT_PROTOCOL = 0x20;
export const PROTOCOL_COMPARTMENT_PORT_POOL = 0;
export const PORT_ASSIGNMENT_LIST = 0x18;
export const PORTS_PER_ASSIGNMENT = 256;
export const PARTITION_ENDPOINTS = 8;
export const AF_INET = 2;
export const AF_INET6 = 0x17;

/** _TCP_ENDPOINT.State (Volatility's TCPStateEnum). */
export const TCP_STATES: ReadonlyMap<number, string> = new Map([
  [0, 'CLOSED'],
  [1, 'LISTENING'],
  [2, 'SYN_SENT'],
  [3, 'SYN_RCVD'],
  [4, 'ESTABLISHED'],
  [5, 'FIN_WAIT1'],
  [6, 'FIN_WAIT2'],
  [7, 'CLOSE_WAIT'],
  [8, 'CLOSING'],
  [9, 'LAST_ACK'],
  [12, 'TIME_WAIT'],
  [13, 'DELETE_TCB'],
]);

const LISTENER_RS5: ListenerLayout = { size: 116, inetAf: 0x28, owner: 0x30, createTime: 0x40, localAddr: 0x60, port: 0x72 };
const LISTENER_VB: ListenerLayout = { ...LISTENER_RS5, size: 128 };
const UDP_RS5: UdpLayout = { size: 132, inetAf: 0x20, owner: 0x28, createTime: 0x58, port: 0x78, localAddr: 0x80 };
const TABLES_RS5: TableLayout = {
  listenerNext: 0x78,
  udpNext: 0x70,
  endpointLinks: 0x28,
  portBitmap: 0xd8,
  portAssignments: 0xe8,
  assignmentSize: 24,
  assignmentEntry: 8,
  partitionSize: 128,
};
const TABLES_19H1: TableLayout = { ...TABLES_RS5, portBitmap: 0xd0, portAssignments: 0xe0 };
const TABLES_VB: TableLayout = { ...TABLES_19H1, assignmentSize: 32, assignmentEntry: 0x10, partitionSize: 192 };
const ENDPOINT = { size: 632, inetAf: 0x10, addrInfo: 0x18, state: 0x6c, localPort: 0x70, remotePort: 0x72 };
const UDP_VB: UdpLayout = { ...UDP_RS5, size: 168, port: 0xa0, localAddr: 0xa8 };
const ENDPOINT_FE: EndpointLayout = { ...ENDPOINT, owner: 0x2f0, createTime: 0x308 };
/**
 * 24H2 (MemProcFS's "dwBuild >= 26100" offsets): each _TCP_LISTENER field 8 bytes later, Next included. MemProcFS gives
 * no size; this is the one it reads (Next's end), the rule that gives Volatility's 128 on 19041.
 */
const LISTENER_24H2: ListenerLayout = { size: 136, inetAf: 0x30, owner: 0x38, createTime: 0x48, localAddr: 0x68, port: 0x7a };
/** 24H2's _UDP_ENDPOINT (MemProcFS), every field 8 bytes later; size: LocalAddr's end, the last field read. */
const UDP_24H2: UdpLayout = { size: 184, inetAf: 0x28, owner: 0x30, createTime: 0x60, port: 0xa8, localAddr: 0xb0 };

/** By first build, ascending; a build uses the last entry at or below it. */
const LAYOUTS: readonly (readonly [number, TcpipLayout])[] = [
  [
    17763,
    {
      name: 'win10-17763-x64',
      listener: LISTENER_RS5,
      endpoint: { ...ENDPOINT, owner: 0x2c8, createTime: 0x2d8 },
      udp: UDP_RS5,
      endpointTags: ['TcpE'],
      tables: TABLES_RS5,
    },
  ],
  [
    18362,
    {
      name: 'win10-18362-x64',
      listener: LISTENER_RS5,
      endpoint: { ...ENDPOINT, owner: 0x290, createTime: 0x2a0 },
      udp: UDP_RS5,
      endpointTags: ['TcpE'],
      tables: TABLES_19H1,
    },
  ],
  [
    18363,
    {
      name: 'win10-18363-x64',
      listener: LISTENER_RS5,
      endpoint: { ...ENDPOINT, owner: 0x290, createTime: 0x2a0 },
      udp: { ...UDP_RS5, port: 0x80, localAddr: 0x88 },
      endpointTags: ['TcpE'],
      tables: TABLES_19H1,
    },
  ],
  [
    19041,
    {
      name: 'win10-19041-x64',
      listener: LISTENER_VB,
      endpoint: { ...ENDPOINT, owner: 0x2d8, createTime: 0x2e8 },
      udp: UDP_VB,
      endpointTags: ['TcpE'],
      tables: TABLES_VB,
    },
  ],
  [
    20348,
    {
      name: 'win10-20348-x64',
      listener: LISTENER_VB,
      endpoint: ENDPOINT_FE,
      udp: UDP_VB,
      endpointTags: ['TcpE', 'TTcb'],
      tables: TABLES_VB,
    },
  ],
  [
    26100,
    {
      name: 'memprocfs-26100-x64',
      listener: LISTENER_24H2,
      // No source fixes 24H2's _TCP_ENDPOINT (MemProcFS finds its Owner by searching): 20348's, as Volatility reads it.
      endpoint: ENDPOINT_FE,
      udp: UDP_24H2,
      endpointTags: ['TcpE', 'TTcb'],
      // MemProcFS walks the port pools and partitions as on 19041; only the two Next fields moved with their structures.
      tables: { ...TABLES_VB, listenerNext: 0x80, udpNext: 0x78 },
    },
  ],
];

/**
 * The layout for a Windows 10/11 build; null before 17763. 19041's covers 19042–19045 (the same tcpip.sys; Volatility
 * 3 2.11 falls back to its latest table, 20348's, for builds it does not list), 20348's the builds up to 24H2 (Windows
 * 11 21H2 to 23H2 and 25398 included, as in Volatility), 26100's 24H2 and later.
 */
export function tcpipLayout(build: number): TcpipLayout | null {
  let found: TcpipLayout | null = null;
  for (const [first, layout] of LAYOUTS) if (build >= first) found = layout;
  return found;
}
