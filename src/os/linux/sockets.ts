import { hex } from '../../io/hex.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import type { SocketInfo } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** include/linux/socket.h, by number. */
// prettier-ignore
const FAMILIES = [
  'AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_AX25', 'AF_IPX', 'AF_APPLETALK', 'AF_NETROM', 'AF_BRIDGE', 'AF_ATMPVC', 'AF_X25',
  'AF_INET6', 'AF_ROSE', 'AF_DECnet', 'AF_NETBEUI', 'AF_SECURITY', 'AF_KEY', 'AF_NETLINK', 'AF_PACKET', 'AF_ASH', 'AF_ECONET',
  'AF_ATMSVC', 'AF_RDS', 'AF_SNA', 'AF_IRDA', 'AF_PPPOX', 'AF_WANPIPE', 'AF_LLC', 'AF_IB', 'AF_MPLS', 'AF_CAN',
  'AF_TIPC', 'AF_BLUETOOTH', 'AF_IUCV', 'AF_RXRPC', 'AF_ISDN', 'AF_PHONET', 'AF_IEEE802154', 'AF_CAIF', 'AF_ALG', 'AF_NFC',
  'AF_VSOCK', 'AF_KCM', 'AF_QIPCRTR', 'AF_SMC', 'AF_XDP',
] as const;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const AF_PACKET = 17;
const SOCK_STREAM = 1;
/** enum sock_type (include/linux/net.h). */
const TYPES: Readonly<Record<number, string>> = { 1: 'STREAM', 2: 'DGRAM', 3: 'RAW', 4: 'RDM', 5: 'SEQPACKET', 6: 'DCCP', 10: 'PACKET' };
/** include/uapi/linux/in.h */
// prettier-ignore
const IP_PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'IP', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 8: 'EGP', 12: 'PUP', 17: 'UDP', 22: 'IDP', 29: 'TP', 33: 'DCCP', 41: 'IPV6',
  46: 'RSVP', 47: 'GRE', 50: 'ESP', 51: 'AH', 92: 'MTP', 94: 'BEETPH', 98: 'ENCAP', 103: 'PIM', 108: 'COMP', 132: 'SCTP',
  136: 'UDPLITE', 137: 'MPLS', 143: 'ETHERNET', 255: 'RAW', 262: 'MPTCP',
};
/** include/uapi/linux/in6.h: protocols only IPv6 names differently. */
const IPV6_PROTOCOLS: Readonly<Record<number, string>> = {
  43: 'ROUTING',
  44: 'FRAGMENT',
  58: 'ICMPv6',
  59: 'NO_NEXT',
  60: 'DESTINATION_OPTS',
  135: 'MOBILITY',
};
/** include/uapi/linux/netlink.h, by number. */
// prettier-ignore
const NETLINK_PROTOCOLS = [
  'NETLINK_ROUTE', 'NETLINK_UNUSED', 'NETLINK_USERSOCK', 'NETLINK_FIREWALL', 'NETLINK_SOCK_DIAG', 'NETLINK_NFLOG', 'NETLINK_XFRM',
  'NETLINK_SELINUX', 'NETLINK_ISCSI', 'NETLINK_AUDIT', 'NETLINK_FIB_LOOKUP', 'NETLINK_CONNECTOR', 'NETLINK_NETFILTER', 'NETLINK_IP6_FW',
  'NETLINK_DNRTMSG', 'NETLINK_KOBJECT_UEVENT', 'NETLINK_GENERIC', 'NETLINK_DM', 'NETLINK_SCSITRANSPORT', 'NETLINK_ECRYPTFS',
  'NETLINK_RDMA', 'NETLINK_CRYPTO', 'NETLINK_SMC',
] as const;
/** include/uapi/linux/if_ether.h (the AF_PACKET protocols Volatility names). */
// prettier-ignore
const ETH_PROTOCOLS: Readonly<Record<number, string>> = {
  0x0001: 'ETH_P_802_3', 0x0002: 'ETH_P_AX25', 0x0003: 'ETH_P_ALL', 0x0004: 'ETH_P_802_2', 0x0005: 'ETH_P_SNAP', 0x0006: 'ETH_P_DDCMP',
  0x0007: 'ETH_P_WAN_PPP', 0x0008: 'ETH_P_PPP_MP', 0x0009: 'ETH_P_LOCALTALK', 0x000c: 'ETH_P_CAN', 0x000f: 'ETH_P_CANFD',
  0x0010: 'ETH_P_PPPTALK', 0x0011: 'ETH_P_TR_802_2', 0x0016: 'ETH_P_CONTROL', 0x0017: 'ETH_P_IRDA', 0x0018: 'ETH_P_ECONET',
  0x0019: 'ETH_P_HDLC', 0x001a: 'ETH_P_ARCNET', 0x001b: 'ETH_P_DSA', 0x001c: 'ETH_P_TRAILER', 0x0060: 'ETH_P_LOOP',
  0x00f6: 'ETH_P_IEEE802154', 0x00f7: 'ETH_P_CAIF', 0x00f8: 'ETH_P_XDSA', 0x00f9: 'ETH_P_MAP', 0x0800: 'ETH_P_IP', 0x0805: 'ETH_P_X25',
  0x0806: 'ETH_P_ARP', 0x8035: 'ETH_P_RARP', 0x809b: 'ETH_P_ATALK', 0x80f3: 'ETH_P_AARP', 0x8100: 'ETH_P_8021Q', 0x86dd: 'ETH_P_IPV6',
};
/** include/net/tcp_states.h, by number. */
const TCP_STATES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];
/** socket_state (include/uapi/linux/net.h) as Volatility names it: the state of every non-stream socket. */
const SOCKET_STATES = ['FREE', 'UNCONNECTED', 'CONNECTING', 'CONNECTED', 'DISCONNECTING'];
const MAX_DEVICES = 4096;

type Endpoints = Pick<SocketInfo, 'source' | 'sourcePort' | 'destination' | 'destinationPort'>;
const NO_ENDPOINTS: Endpoints = { source: null, sourcePort: null, destination: null, destinationPort: null };

/**
 * Decodes the sockets of open files (file->private_data is the struct socket, whose sk is the struct sock).
 * One reader per run: it resolves the core layout up front (SYMBOLS_INVALID when the kernel types lack it)
 * and caches namespace inodes and network device names.
 */
export class SocketReader {
  private readonly socketFileOps: bigint | null;
  private readonly namespaces = new Map<bigint, Promise<number | null>>();
  private readonly devices = new Map<bigint, Promise<Map<number, string>>>();
  private readonly bpfTypes: Map<number, string>;

  constructor(private readonly kernel: LinuxKernel) {
    requireCoreLayout(kernel);
    this.socketFileOps = kernel.hasSymbol('socket_file_ops') ? kernel.symbolAddress('socket_file_ops') : null;
    const bpf = kernel.symbols.enumeration('bpf_prog_type');
    this.bpfTypes = new Map([...(bpf?.constants ?? [])].map(([name, value]) => [Number(value), name]));
  }

  /**
   * The struct socket of an open file, or null when the file is no socket: f_op is socket_file_ops (or, without
   * that symbol, the inode is S_IFSOCK) and the socket's file pointer leads back to the file.
   */
  async socketOf(file: bigint, warn: Warn): Promise<bigint | null> {
    const f = await this.kernel.readStruct('file', file);
    if (!f) return null;
    if (this.socketFileOps !== null ? f.u64('f_op') !== this.socketFileOps : !(await this.isSocketInode(f.u64('f_inode')))) return null;
    const socket = f.u64('private_data');
    const back = await this.kernel.vm.readU64(socket + this.at('socket', 'file'));
    if (back === file) return socket;
    if (this.socketFileOps !== null) {
      warn({ code: 'SMEAR', message: `socket file: its struct socket (${hex(socket)}) does not point back to it; skipped`, address: hex(file) });
    }
    return null;
  }

  /** One socket's row; null (after a warning) when its structures are not readable, null silently when it has no sock. */
  async describe(socket: bigint, warn: Warn): Promise<SocketInfo | null> {
    const kernel = this.kernel;
    const s = await kernel.readStruct('socket', socket);
    const skAddress = s?.u64('sk') ?? 0n;
    if (!s || skAddress === 0n) {
      if (!s) warn({ code: 'UNREADABLE', message: 'struct socket not readable', address: hex(socket) });
      return null;
    }
    const sk = await kernel.readStruct('sock', skAddress);
    if (!sk) {
      warn({ code: 'UNREADABLE', message: 'struct sock not readable', address: hex(skAddress) });
      return null;
    }
    const family = sk.u16('__sk_common.skc_family');
    const type = sk.int('sk_type');
    const net = netOf(sk);
    const inode = await this.inodeOf(socket);
    // Volatility's rule: stream sockets of the TCP-like families report sk_state, every other socket its socket->state.
    const stream = type === SOCK_STREAM && (family === AF_UNIX || family === AF_INET || family === AF_INET6);
    const state = stream ? sk.u8('__sk_common.skc_state') : s.int('state');
    return {
      sock: skAddress,
      netns: net === 0n ? null : await this.namespaceInode(net),
      family: FAMILIES[family] ?? `AF_${family}`,
      type: TYPES[type] ?? String(type),
      ...(await this.familyDetails(sk, family, net, inode?.ino ?? null, warn)),
      state: (stream ? TCP_STATES : SOCKET_STATES)[state] ?? String(state),
      filter: await this.filters(sk),
      inode: inode?.ino ?? null,
      uid: inode?.uid ?? null,
    };
  }

  /** Protocol and endpoints as each family defines them; other families (or family types the kernel lacks) get none. */
  private async familyDetails(
    sk: StructView,
    family: number,
    net: bigint,
    inode: number | null,
    warn: Warn,
  ): Promise<Endpoints & { protocol: string | null }> {
    const protocol = sk.int('sk_protocol');
    switch (family) {
      case AF_INET:
      case AF_INET6:
        return {
          protocol: (family === AF_INET6 ? IPV6_PROTOCOLS[protocol] : undefined) ?? IP_PROTOCOLS[protocol] ?? String(protocol),
          ...(await this.inetEndpoints(sk, family, warn)),
        };
      case AF_UNIX:
        return { protocol: null, ...(await this.unixEndpoints(sk, inode, warn)) };
      case AF_NETLINK:
        return { protocol: NETLINK_PROTOCOLS[protocol] ?? String(protocol), ...(await this.netlinkEndpoints(sk, warn)) };
      case AF_PACKET:
        return this.packetEndpoints(sk, net, warn);
      default:
        return { protocol: null, ...NO_ENDPOINTS };
    }
  }

  private at(struct: string, path: string): bigint {
    return BigInt(this.kernel.layout.offset(struct, path));
  }

  private async isSocketInode(inode: bigint): Promise<boolean> {
    const mode = await this.kernel.vm.readU16(inode + this.at('inode', 'i_mode'));
    return mode !== null && (mode & 0o170000) === 0o140000;
  }

  /** SOCK_INODE(): the inode allocated together with the socket in struct socket_alloc. */
  private async inodeOf(socket: bigint): Promise<{ ino: number; uid: number | null } | null> {
    const address = socket - this.at('socket_alloc', 'socket') + this.at('socket_alloc', 'vfs_inode');
    const inode = await this.kernel.readStruct('inode', address);
    if (!inode) return null;
    const uid = inode.has('i_uid.val') ? inode.u32('i_uid.val') : inode.has('i_uid') ? inode.u32('i_uid') : null;
    return { ino: Number(inode.u64('i_ino')), uid };
  }

  private async inodeNumberOfSock(sk: bigint): Promise<number | null> {
    const socket = await this.kernel.vm.readU64(sk + this.at('sock', 'sk_socket'));
    return socket ? ((await this.inodeOf(socket))?.ino ?? null) : null;
  }

  private namespaceInode(net: bigint): Promise<number | null> {
    let inode = this.namespaces.get(net);
    if (!inode) {
      const l = this.kernel.layout;
      const path = l.has('net', 'ns.inum') ? 'ns.inum' : l.has('net', 'proc_inum') ? 'proc_inum' : null;
      inode = path ? this.kernel.vm.readU32(net + this.at('net', path)) : Promise.resolve(null);
      this.namespaces.set(net, inode);
    }
    return inode;
  }

  /** Addresses and ports from sock_common (inet_sock / ipv6_pinfo before 3.13); skc_num is in host order, skc_dport in network order. */
  private async inetEndpoints(sk: StructView, family: number, warn: Warn): Promise<Endpoints> {
    const v6InCommon = sk.has('__sk_common.skc_v6_rcv_saddr');
    const inet = sk.has('__sk_common.skc_num') && (family === AF_INET || v6InCommon) ? null : await this.kernel.readStruct('inet_sock', sk.address);
    const field = (common: string, old?: string): Uint8Array | null =>
      sk.has(common) ? sk.raw(common) : old && inet?.has(old) ? inet.raw(old) : null;
    const port = (common: string, old: string): number | null => {
      const bytes = field(common, old);
      return bytes && bytes.length === 2 ? bytes[0]! | (bytes[1]! << 8) : null;
    };
    const dport = port('__sk_common.skc_dport', 'inet_dport');
    let local = family === AF_INET ? field('__sk_common.skc_rcv_saddr', 'inet_rcv_saddr') : field('__sk_common.skc_v6_rcv_saddr');
    let remote = family === AF_INET ? field('__sk_common.skc_daddr', 'inet_daddr') : field('__sk_common.skc_v6_daddr');
    if (family === AF_INET6 && !v6InCommon && inet?.has('pinet6')) {
      const info = inet.u64('pinet6') === 0n ? null : await this.kernel.readStruct('ipv6_pinfo', inet.u64('pinet6'));
      local = info?.raw('rcv_saddr') ?? null;
      remote = info?.raw('daddr') ?? null;
    }
    if (!local || !remote) warn({ code: 'UNREADABLE', message: `addresses of the ${FAMILIES[family]} sock not readable`, address: hex(sk.address) });
    const text = family === AF_INET ? ipv4 : ipv6;
    return {
      source: local && text(local),
      sourcePort: port('__sk_common.skc_num', 'inet_num'),
      destination: remote && text(remote),
      destinationPort: dport === null ? null : swap16(dport),
    };
  }

  /** Own bound name and inode, and the peer's (Volatility's layout of AF_UNIX rows). */
  private async unixEndpoints(sk: StructView, inode: number | null, warn: Warn): Promise<Endpoints> {
    if (!this.kernel.hasStruct('unix_sock')) return NO_ENDPOINTS;
    const vm = this.kernel.vm;
    const [addr, peer] = [await vm.readU64(sk.address + this.at('unix_sock', 'addr')), await vm.readU64(sk.address + this.at('unix_sock', 'peer'))];
    if (addr === null || peer === null) warn({ code: 'UNREADABLE', message: 'unix_sock not readable', address: hex(sk.address) });
    const peerAddr = peer ? await vm.readU64(peer + this.at('unix_sock', 'addr')) : null;
    return {
      source: addr ? await this.unixName(addr) : null,
      sourcePort: inode,
      destination: peerAddr ? await this.unixName(peerAddr) : null,
      destinationPort: peer ? await this.inodeNumberOfSock(peer) : null,
    };
  }

  /** unix_address->name.sun_path as /proc/net/unix prints it: abstract names get '@' for every NUL. */
  private async unixName(addr: bigint): Promise<string | null> {
    const l = this.kernel.layout;
    const length = await this.kernel.vm.readU32(addr + this.at('unix_address', 'len'));
    const pathOffset = l.offset('sockaddr_un', 'sun_path');
    const pathLength = length === null ? 0 : Math.min(length - pathOffset, l.fieldSize('sockaddr_un', 'sun_path'));
    if (pathLength <= 0) return null;
    const bytes = await this.kernel.vm.read(addr + this.at('unix_address', 'name') + BigInt(pathOffset), pathLength);
    if (!bytes) return null;
    if (bytes[0] !== 0) return cString(bytes);
    return `@${cString(bytes.subarray(1).map((b) => b || 0x40))}`;
  }

  private async netlinkEndpoints(sk: StructView, warn: Warn): Promise<Endpoints> {
    if (!this.kernel.hasStruct('netlink_sock')) return NO_ENDPOINTS;
    const n = await this.kernel.readStruct('netlink_sock', sk.address);
    if (!n) {
      warn({ code: 'UNREADABLE', message: 'netlink_sock not readable', address: hex(sk.address) });
      return NO_ENDPOINTS;
    }
    const port = (old: string, now: string) => (n.has(now) ? n.u32(now) : n.has(old) ? n.u32(old) : null);
    const groups = n.u64('groups') === 0n ? null : await this.kernel.vm.readU64(n.u64('groups'));
    const module = n.has('module') ? n.u64('module') : 0n;
    const moduleName =
      module === 0n ? null : await this.kernel.readCString(module + this.at('module', 'name'), this.kernel.layout.fieldSize('module', 'name'));
    return {
      source: groups === null ? null : `groups:0x${groups.toString(16).padStart(8, '0')}`,
      sourcePort: port('pid', 'portid'),
      destination: `group:0x${n.u32('dst_group').toString(16).padStart(8, '0')}${moduleName ? `,lkm:${moduleName}` : ''}`,
      destinationPort: port('dst_pid', 'dst_portid'),
    };
  }

  /** The bound device ('ANY' for all) and the Ethernet protocol (po->num, network order). */
  private async packetEndpoints(sk: StructView, net: bigint, warn: Warn): Promise<Endpoints & { protocol: string | null }> {
    const p = this.kernel.hasStruct('packet_sock') ? await this.kernel.readStruct('packet_sock', sk.address) : null;
    if (!p) {
      if (this.kernel.hasStruct('packet_sock')) warn({ code: 'UNREADABLE', message: 'packet_sock not readable', address: hex(sk.address) });
      return { protocol: null, ...NO_ENDPOINTS };
    }
    const ifindex = p.u32('ifindex') | 0;
    const proto = swap16(p.u16('num'));
    const device = ifindex > 0 ? ((await this.deviceNames(net, warn)).get(ifindex) ?? `ifindex ${ifindex}`) : 'ANY';
    return { protocol: proto === 0 ? null : (ETH_PROTOCOLS[proto] ?? `0x${proto.toString(16)}`), ...NO_ENDPOINTS, source: device };
  }

  /** ifindex → name of a network namespace's devices (net->dev_base_head). */
  private deviceNames(net: bigint, warn: Warn): Promise<Map<number, string>> {
    let names = this.devices.get(net);
    if (!names) {
      names = (async () => {
        const map = new Map<number, string>();
        if (net === 0n) return map;
        const member = this.at('net_device', 'dev_list');
        for await (const link of listEntries(this.kernel, net + this.at('net', 'dev_base_head'), 'network device list', warn, MAX_DEVICES)) {
          const dev = await this.kernel.readStruct('net_device', link - member);
          if (dev) map.set(dev.u32('ifindex') | 0, cString(dev.raw('name')));
        }
        return map;
      })();
      this.devices.set(net, names);
    }
    return names;
  }

  /** sk_filter and sk_reuseport_cb programs, as Volatility describes them (filter_type, bpf_filter_type, id, name). */
  private async filters(sk: StructView): Promise<string | null> {
    const parts: string[] = [];
    for (const [field, kind, struct] of [
      ['sk_filter', 'socket_filter', 'sk_filter'],
      ['sk_reuseport_cb', 'reuseport_filter', 'sock_reuseport'],
    ] as const) {
      const holder = sk.has(field) ? sk.u64(field) : 0n;
      if (holder === 0n || !this.kernel.hasStruct(struct)) continue;
      const prog = await this.kernel.vm.readU64(holder + this.at(struct, 'prog'));
      parts.push([`filter_type=${kind}`, ...(prog ? await this.bpfProgram(prog) : ['bpf_filter_type=cBPF'])].join(','));
    }
    return parts.length ? parts.join('; ') : null;
  }

  private async bpfProgram(address: bigint): Promise<string[]> {
    const prog = await this.kernel.readStruct('bpf_prog', address);
    const type = prog?.has('type') ? this.bpfTypes.get(prog.int('type')) : undefined;
    if (!prog || type === undefined || type === 'BPF_PROG_TYPE_UNSPEC') return ['bpf_filter_type=cBPF'];
    if (type !== 'BPF_PROG_TYPE_SOCKET_FILTER') return [`bpf_filter_type=UNK(${type})`];
    const aux = prog.has('aux') && prog.u64('aux') !== 0n ? await this.kernel.readStruct('bpf_prog_aux', prog.u64('aux')) : null;
    const name = aux?.has('name') ? cString(aux.raw('name')) : '';
    return ['bpf_filter_type=eBPF', ...(aux?.has('id') ? [`bpf_filter_id=${aux.u32('id')}`] : []), ...(name ? [`bpf_filter_name=${name}`] : [])];
  }
}

/** Resolves the fields every socket needs, so a kernel without them fails once with SYMBOLS_INVALID naming the field. */
function requireCoreLayout(kernel: LinuxKernel): void {
  const fields = [
    ['file', 'f_op'],
    ['file', 'private_data'],
    ['file', 'f_inode'],
    ['socket', 'state'],
    ['socket', 'file'],
    ['socket', 'sk'],
    ['socket_alloc', 'socket'],
    ['socket_alloc', 'vfs_inode'],
    ['inode', 'i_ino'],
    ['inode', 'i_mode'],
    ['sock', '__sk_common.skc_family'],
    ['sock', '__sk_common.skc_state'],
    ['sock', 'sk_type'],
    ['sock', 'sk_protocol'],
    ['sock', 'sk_socket'],
  ] as const;
  for (const [struct, path] of fields) kernel.layout.offset(struct, path);
}

/** sock_net(sk): possible_net_t since 4.1, a plain pointer before. */
function netOf(sk: StructView): bigint {
  if (sk.has('__sk_common.skc_net.net')) return sk.u64('__sk_common.skc_net.net');
  return sk.has('__sk_common.skc_net') ? sk.u64('__sk_common.skc_net') : 0n;
}

const swap16 = (v: number) => ((v & 0xff) << 8) | (v >> 8);
