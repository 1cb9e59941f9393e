import type { StructView } from '../struct-view.ts';
import { cString, type LinuxKernel } from './linux-kernel.ts';

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const FAMILIES: Readonly<Record<number, string>> = { 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET', 40: 'AF_VSOCK', 44: 'AF_XDP' };
const TYPES: Readonly<Record<number, string>> = { 1: 'STREAM', 2: 'DGRAM', 3: 'RAW', 4: 'RDM', 5: 'SEQPACKET', 6: 'DCCP', 10: 'PACKET' };
const PROTOCOLS: Readonly<Record<number, string>> = { 0: 'IP', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPV6', 132: 'SCTP', 136: 'UDPLITE', 255: 'RAW' };
/** include/net/tcp_states.h */
const TCP_STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

export interface SocketInfo {
  /** struct sock address. */
  readonly sock: bigint;
  readonly netns: number | null;
  readonly family: string;
  readonly type: string;
  readonly protocol: string | null;
  readonly source: string | null;
  readonly sourcePort: number | null;
  readonly destination: string | null;
  readonly destinationPort: number | null;
  readonly state: string;
  readonly filter: string | null;
  readonly inode: number | null;
  readonly uid: number | null;
}

/** The socket behind an open file, or null when the file is not a socket. */
export async function fileSocket(kernel: LinuxKernel, file: bigint): Promise<SocketInfo | null> {
  const f = await kernel.readStruct('file', file);
  if (!f || !(await isSocketFile(kernel, f))) return null;
  const socket = await kernel.readStruct('socket', f.u64('private_data'));
  const sk = socket && (await kernel.readStruct('sock', socket.u64('sk')));
  if (!socket || !sk) return null;
  const family = sk.u16('__sk_common.skc_family');
  const type = socket.u16('type');
  const protocol = sk.int('sk_protocol');
  const endpoints = family === AF_INET || family === AF_INET6 ? inetEndpoints(sk, family) : family === AF_UNIX ? await unixEndpoints(kernel, sk) : NO_ENDPOINTS;
  return {
    sock: sk.address,
    netns: await namespaceOf(kernel, sk),
    family: FAMILIES[family] ?? `AF_${family}`,
    type: TYPES[type] ?? String(type),
    protocol: family === AF_UNIX ? null : (PROTOCOLS[protocol] ?? String(protocol)),
    ...endpoints,
    state: stateName(family, protocol, sk.u8('__sk_common.skc_state')),
    filter: sk.has('sk_filter') && sk.u64('sk_filter') !== 0n ? `BPF filter at 0x${sk.u64('sk_filter').toString(16)}` : null,
    ...(await inodeOf(kernel, socket)),
    uid: sk.has('sk_uid.val') ? sk.u32('sk_uid.val') : null,
  };
}

async function isSocketFile(kernel: LinuxKernel, f: StructView): Promise<boolean> {
  if (kernel.hasSymbol('socket_file_ops')) return f.u64('f_op') === kernel.symbolAddress('socket_file_ops');
  const mode = await kernel.vm.readU16(f.u64('f_inode') + BigInt(kernel.layout.offset('inode', 'i_mode')));
  return mode !== null && (mode & S_IFMT) === S_IFSOCK;
}

/** SOCK_INODE(): the inode allocated with the socket in struct socket_alloc. */
async function inodeOf(kernel: LinuxKernel, socket: StructView): Promise<{ inode: number | null }> {
  const l = kernel.layout;
  const inode = socket.address - BigInt(l.offset('socket_alloc', 'socket')) + BigInt(l.offset('socket_alloc', 'vfs_inode'));
  const ino = await kernel.vm.readU64(inode + BigInt(l.offset('inode', 'i_ino')));
  return { inode: ino === null ? null : Number(ino) };
}

async function namespaceOf(kernel: LinuxKernel, sk: StructView): Promise<number | null> {
  if (!sk.has('__sk_common.skc_net.net')) return null;
  const net = sk.u64('__sk_common.skc_net.net');
  return net === 0n ? null : kernel.vm.readU32(net + BigInt(kernel.layout.offset('net', 'ns.inum')));
}

type Endpoints = Pick<SocketInfo, 'source' | 'sourcePort' | 'destination' | 'destinationPort'>;
const NO_ENDPOINTS: Endpoints = { source: null, sourcePort: null, destination: null, destinationPort: null };

function inetEndpoints(sk: StructView, family: number): Endpoints {
  const address = family === AF_INET ? ipv4 : ipv6;
  const [local, remote] = family === AF_INET ? ['__sk_common.skc_rcv_saddr', '__sk_common.skc_daddr'] : ['__sk_common.skc_v6_rcv_saddr', '__sk_common.skc_v6_daddr'];
  const dport = sk.u16('__sk_common.skc_dport');
  return {
    source: address(sk.raw(local)),
    sourcePort: sk.u16('__sk_common.skc_num'),
    destination: address(sk.raw(remote)),
    destinationPort: ((dport & 0xff) << 8) | (dport >> 8),
  };
}

/** The bound path of an AF_UNIX socket (unix_sock->addr->name.sun_path; '@' marks an abstract name). */
async function unixEndpoints(kernel: LinuxKernel, sk: StructView): Promise<Endpoints> {
  const unix = await kernel.readStruct('unix_sock', sk.address);
  const addr = unix?.u64('addr') ?? 0n;
  if (addr === 0n) return NO_ENDPOINTS;
  const length = await kernel.vm.readU32(addr + BigInt(kernel.layout.offset('unix_address', 'len')));
  const nameAt = addr + BigInt(kernel.layout.offset('unix_address', 'name')) + 2n;
  const pathLength = Math.max(0, Math.min((length ?? 0) - 2, 108));
  const bytes = pathLength ? await kernel.vm.read(nameAt, pathLength) : null;
  const path = bytes === null ? null : bytes[0] === 0 ? `@${cString(bytes.subarray(1))}` : cString(bytes);
  return { ...NO_ENDPOINTS, source: path };
}

/** sk_state in TCP's numbering (UNIX and datagram sockets reuse it): CLOSE on a non-TCP socket is "not connected" (ss: UNCONN). */
function stateName(family: number, protocol: number, skState: number): string {
  const tcp = (family === AF_INET || family === AF_INET6) && protocol === 6;
  if (!tcp && skState === 7) return 'UNCONNECTED';
  return TCP_STATES[skState] ?? String(skState);
}

export function ipv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as '::', v4-mapped as ::ffff:a.b.c.d. */
export function ipv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[i * 2]! << 8) | bytes[i * 2 + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${ipv4(bytes.subarray(12))}`;
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
