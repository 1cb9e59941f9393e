import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import type { Session } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import type { VirtualLayer } from '../../src/layers/virtual-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { MAX_FDS, openFiles } from '../../src/os/linux/fd-table.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import { SocketReader } from '../../src/os/linux/sockets.ts';
import type { TaskRecord } from '../../src/os/linux/task.ts';
import type { StructLayout } from '../../src/os/struct-layout.ts';
import { StructView } from '../../src/os/struct-view.ts';
import type { SocketInfo, StructReader } from '../../src/plugins/api.ts';
import type { Cell, CountedWarning, RunWarning } from '../../src/plugins/plugin.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, rowsByColumn, runByColumn, type LinuxCapture } from '../helpers/linux-session.ts';

interface TruthInetSocket {
  proto: 'tcp' | 'udp';
  family: 'inet' | 'inet6';
  local_ip: string;
  local_port: number;
  remote_ip: string;
  remote_port: number;
  state: string;
  uid: number;
  inode: number;
  pid: number;
}
interface TruthUnixSocket {
  inode: number;
  type: string;
  /** /proc/net/unix St: socket->state. */
  state: number;
  /** /proc/net/unix Flags (hex): __SO_ACCEPTCON marks a listener. */
  flags: string;
  path: string;
  pids: number[];
}
interface TruthProcess {
  pid: number;
  fds?: { fd: number; target: string }[];
}

const skip = linuxFixtureSkipReason();
/** SS_UNCONNECTED ... SS_DISCONNECTING (include/uapi/linux/net.h), as Volatility names them. */
const SOCKET_STATES = ['FREE', 'UNCONNECTED', 'CONNECTING', 'CONNECTED', 'DISCONNECTING'];
const SO_ACCEPTCON = 0x10000;

/**
 * ss state names in the truth → the State column (Volatility 3's rule): a TCP socket shows its tcp_states.h
 * name (LISTEN, ESTABLISHED unchanged); a UDP socket shows socket->state, so ss's UNCONN is UNCONNECTED
 * (a connected UDP socket, ss ESTAB, would be CONNECTED).
 */
function stateColumn(t: TruthInetSocket): string {
  if (t.proto === 'tcp') return t.state;
  return t.state === 'UNCONN' ? 'UNCONNECTED' : 'CONNECTED';
}

/** A UNIX socket's State: stream sockets show sk_state (LISTEN for an accepting socket), others socket->state. */
function unixStateColumn(t: TruthUnixSocket): string {
  if (t.type !== 'STREAM') return SOCKET_STATES[t.state]!;
  if (parseInt(t.flags, 16) & SO_ACCEPTCON) return 'LISTEN';
  return t.state === 3 ? 'ESTABLISHED' : 'CLOSE';
}

/** Every "socket:[N]" descriptor the guest's /proc/<pid>/fd listed, as "pid/fd/inode". */
function truthSocketFds(): string[] {
  const keys: string[] = [];
  for (const p of linuxTruth()['processes'] as TruthProcess[]) {
    for (const f of p.fds ?? []) {
      const m = /^socket:\[(\d+)\]$/.exec(f.target);
      if (m) keys.push(`${p.pid}/${f.fd}/${m[1]}`);
    }
  }
  return keys.sort();
}

/** The capture's session, or why it is skipped (the kdump reader may not be there yet). */
async function openOrSkip(capture: LinuxCapture): Promise<Session | string> {
  try {
    return await openLinuxSession(capture);
  } catch (e) {
    if (capture === 'linux-a.kdump' && isMemscopeError(e) && (e.code === 'UNKNOWN_FORMAT' || e.code === 'UNSUPPORTED')) {
      return `the kdump reader cannot open this capture yet: ${e.message}`;
    }
    throw e;
  }
}

for (const capture of LINUX_CAPTURES) {
  describe(`linux.sockstat on ${capture}`, { skip }, () => {
    let session: Session | null = null;
    let skipped = '';
    let rows: Record<string, Cell>[] = [];
    let warnings: readonly CountedWarning[] = [];
    before(async () => {
      const opened = await openOrSkip(capture);
      if (typeof opened === 'string') return void (skipped = opened);
      session = opened;
      ({ rows, warnings } = await runByColumn(session, 'linux.sockstat'));
    });
    after(() => session?.close());

    it('every TCP and UDP socket of the guest with its family, addresses, ports, state, owner, inode and process, and no other', (t) => {
      if (!session) return t.skip(skipped);
      const got = rows
        .filter((r) => r['Family'] === 'AF_INET' || r['Family'] === 'AF_INET6')
        .map((r) => ({
          proto: String(r['Proto']),
          family: r['Family'],
          local: `${r['Source Addr']} ${r['Source Port']}`,
          remote: `${r['Destination Addr']} ${r['Destination Port']}`,
          state: r['State'],
          uid: r['UID'],
          inode: r['Inode'],
          pid: r['PID'],
          tid: r['TID'],
        }));
      const truth = linuxTruth();
      const want = [...(truth['tcp'] as TruthInetSocket[]), ...(truth['udp'] as TruthInetSocket[])].map((s) => ({
        proto: s.proto.toUpperCase(),
        family: s.family === 'inet' ? 'AF_INET' : 'AF_INET6',
        local: `${s.local_ip} ${s.local_port}`,
        remote: `${s.remote_ip} ${s.remote_port}`,
        state: stateColumn(s),
        uid: s.uid,
        inode: s.inode,
        pid: s.pid,
        tid: s.pid,
      }));
      const order = (a: { inode: unknown }, b: { inode: unknown }) => Number(a.inode) - Number(b.inode);
      assert.deepEqual(got.sort(order), want.sort(order));
    });

    it('every UNIX socket the guest listed, with type, path, state, inode and owning processes', (t) => {
      if (!session) return t.skip(skipped);
      for (const u of linuxTruth()['unix_sockets'] as TruthUnixSocket[]) {
        const found = rows.filter((r) => r['Family'] === 'AF_UNIX' && r['Inode'] === u.inode);
        assert.deepEqual(
          found.map((r) => ({
            pid: r['PID'],
            type: r['Type'],
            path: r['Source Addr'],
            port: r['Source Port'],
            state: r['State'],
            proto: r['Proto'],
          })),
          u.pids.map((pid) => ({ pid, type: u.type, path: u.path, port: u.inode, state: unixStateColumn(u), proto: null })),
          `unix socket inode ${u.inode}`,
        );
      }
    });

    it('exactly one row per socket descriptor of /proc/<pid>/fd, in one network namespace, without warnings', (t) => {
      if (!session) return t.skip(skipped);
      assert.deepEqual(rows.map((r) => `${r['PID']}/${r['FD']}/${r['Inode']}`).sort(), truthSocketFds());
      const namespaces = new Set(rows.map((r) => r['NetNS']));
      assert.equal(namespaces.size, 1);
      // Namespace inodes come from proc_alloc_inum(): PROC_DYNAMIC_FIRST = 0xF0000000 upwards.
      assert.ok(Number([...namespaces][0]) >= 0xf0000000, `NetNS ${[...namespaces][0]}`);
      for (const r of rows)
        assert.ok(typeof r['Sock Offset'] === 'bigint' && r['Sock Offset'] >= 0xffff800000000000n, `Sock Offset of inode ${r['Inode']}`);
      assert.deepEqual(warnings, []);
    });

    it('--pid and --netns keep only the matching sockets', async (t) => {
      if (!session) return t.skip(skipped);
      const charlie = await rowsByColumn(session, 'linux.sockstat', { pid: [106] });
      assert.deepEqual(
        charlie.map((r) => `${r['PID']}/${r['FD']}/${r['Inode']}`),
        truthSocketFds().filter((k) => k.startsWith('106/')),
      );
      assert.equal((await rowsByColumn(session, 'linux.sockstat', { netns: Number(rows[0]!['NetNS']) })).length, rows.length);
      assert.equal((await rowsByColumn(session, 'linux.sockstat', { netns: 1 })).length, 0);
    });
  });
}

/** Sparse kernel memory the tests write structures into; unwritten pages are unmapped. */
class FakeMemory {
  private readonly pages = new Map<bigint, Uint8Array>();

  write(address: bigint, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const at = address + BigInt(i);
      const page = at & ~0xfffn;
      let p = this.pages.get(page);
      if (!p) this.pages.set(page, (p = new Uint8Array(4096)));
      p[Number(at & 0xfffn)] = bytes[i]!;
    }
  }

  async read(address: bigint, length: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const at = address + BigInt(i);
      const page = this.pages.get(at & ~0xfffn);
      if (!page) return null;
      out[i] = page[Number(at & 0xfffn)]!;
    }
    return out;
  }

  async readU64(address: bigint): Promise<bigint | null> {
    const b = await this.read(address, 8);
    return b && new DataView(b.buffer).getBigUint64(0, true);
  }

  async readU32(address: bigint): Promise<number | null> {
    const b = await this.read(address, 4);
    return b && new DataView(b.buffer).getUint32(0, true);
  }

  async readU16(address: bigint): Promise<number | null> {
    const b = await this.read(address, 2);
    return b && new DataView(b.buffer).getUint16(0, true);
  }
}

/** Writes kernel structures field by field with the real kernel's layout (from its BTF). */
class Encoder {
  constructor(
    readonly layout: StructLayout,
    readonly memory: FakeMemory,
  ) {}

  /** Zero-fills a whole structure (so it is mapped), then sets the given fields. */
  struct(struct: string, address: bigint, fields: Record<string, number | bigint | Uint8Array>): bigint {
    this.memory.write(address, new Uint8Array(this.layout.size(struct)));
    for (const [path, value] of Object.entries(fields)) this.set(struct, address, path, value);
    return address;
  }

  set(struct: string, address: bigint, path: string, value: number | bigint | Uint8Array): void {
    const at = address + BigInt(this.layout.offset(struct, path));
    if (value instanceof Uint8Array) return this.memory.write(at, value);
    const size = this.layout.fieldSize(struct, path);
    const bytes = new Uint8Array(size);
    let v = BigInt.asUintN(size * 8, BigInt(value));
    for (let i = 0; i < size; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
    this.memory.write(at, bytes);
  }
}

describe('socket decoding of encoder-written kernel structures (real 6.1 layout)', { skip }, () => {
  let kernel: LinuxKernel;
  let memory: FakeMemory;
  let enc: Encoder;
  let next: bigint;
  const alloc = (size = 0x2000) => {
    const at = next;
    next += BigInt(Math.ceil(size / 0x1000) * 0x1000);
    return at;
  };
  const NET = 0xffff_8880_0010_0000n;
  const NETNS_INODE = 0xf0000123;

  before(async () => {
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(await NodeFileSource.open(await linuxFixtureFile('linux-a.raw')));
    const d = (await discoverLinux(physical, env.wasm, env.scanner)).discovery!;
    const real = new LinuxKernel(physical, env.wasm, d, await loadKernelSymbolTable(linuxKernelLayer(physical, env.wasm, d.dtb), d), 0n);
    memory = new FakeMemory();
    kernel = Object.create(real, { vm: { value: memory as unknown as VirtualLayer } }) as LinuxKernel;
    enc = new Encoder(kernel.layout, memory);
    next = 0xffff_8880_0100_0000n;
    enc.struct('net', NET, { 'ns.inum': NETNS_INODE, 'dev_base_head.next': NET, 'dev_base_head.prev': NET });
  });

  /** A socket file: file -> socket_alloc{socket, vfs_inode} -> sock of `sockStruct`; returns the file address. */
  function socketFile(opts: {
    sockStruct: string;
    sk: Record<string, number | bigint | Uint8Array>;
    socketState: number;
    ino: number;
    uid: number;
  }): { file: bigint; sock: bigint } {
    const file = alloc();
    const socketAlloc = alloc();
    const sock = alloc(kernel.layout.size(opts.sockStruct));
    const socket = socketAlloc + BigInt(kernel.layout.offset('socket_alloc', 'socket'));
    const inode = socketAlloc + BigInt(kernel.layout.offset('socket_alloc', 'vfs_inode'));
    enc.struct('file', file, { f_op: kernel.symbolAddress('socket_file_ops'), private_data: socket, f_inode: inode });
    enc.struct('socket_alloc', socketAlloc, {
      'socket.state': opts.socketState,
      'socket.file': file,
      'socket.sk': sock,
      'vfs_inode.i_mode': 0o140777,
      'vfs_inode.i_ino': opts.ino,
      'vfs_inode.i_uid.val': opts.uid,
    });
    enc.struct(opts.sockStruct, sock, { 'sk.__sk_common.skc_net.net': NET, 'sk.sk_socket': socket, ...opts.sk });
    return { file, sock };
  }

  async function decode(file: bigint, on = kernel): Promise<{ info: SocketInfo | null; warnings: RunWarning[] }> {
    const warnings: RunWarning[] = [];
    const reader = new SocketReader(on);
    const socket = await reader.socketOf(file, (m) => warnings.push(m));
    return { info: socket === null ? null : await reader.describe(socket, (m) => warnings.push(m)), warnings };
  }

  it('a netlink socket: protocol name, port ids, groups, socket state, inode, owner and namespace', async () => {
    const groups = alloc();
    enc.memory.write(groups, Uint8Array.of(0x11, 0, 0, 0, 0, 0, 0, 0));
    const { file, sock } = socketFile({
      sockStruct: 'netlink_sock',
      sk: { 'sk.__sk_common.skc_family': 16, 'sk.sk_type': 3, 'sk.sk_protocol': 15, portid: 4321, dst_portid: 0, groups, dst_group: 1 },
      socketState: 1,
      ino: 5150,
      uid: 33,
    });
    assert.deepEqual((await decode(file)).info, {
      sock,
      netns: NETNS_INODE,
      family: 'AF_NETLINK',
      type: 'RAW',
      protocol: 'NETLINK_KOBJECT_UEVENT',
      source: 'groups:0x00000011',
      sourcePort: 4321,
      destination: 'group:0x00000001',
      destinationPort: 0,
      state: 'UNCONNECTED',
      filter: null,
      inode: 5150,
      uid: 33,
    });
  });

  it('packet sockets: Ethernet protocol from po->num (network order), bound device by ifindex or ANY', async () => {
    const device = alloc(kernel.layout.size('net_device'));
    const list = device + BigInt(kernel.layout.offset('net_device', 'dev_list'));
    const head = NET + BigInt(kernel.layout.offset('net', 'dev_base_head'));
    enc.struct('net_device', device, { name: new TextEncoder().encode('eth0\0'), ifindex: 2, 'dev_list.next': head, 'dev_list.prev': head });
    enc.set('net', NET, 'dev_base_head.next', list);
    enc.set('net', NET, 'dev_base_head.prev', list);
    const packet = (ifindex: number, ethProto: number) =>
      socketFile({
        sockStruct: 'packet_sock',
        sk: {
          'sk.__sk_common.skc_family': 17,
          'sk.sk_type': 3,
          'sk.sk_protocol': ethProto,
          ifindex,
          num: Uint8Array.of(ethProto >> 8, ethProto & 0xff),
        },
        socketState: 1,
        ino: 6000 + ifindex,
        uid: 0,
      });
    const bound = await decode(packet(2, 0x0003).file);
    assert.deepEqual(
      [bound.info?.family, bound.info?.type, bound.info?.protocol, bound.info?.source, bound.info?.inode],
      ['AF_PACKET', 'RAW', 'ETH_P_ALL', 'eth0', 6002],
    );
    const any = await decode(packet(0, 0x88cc).file);
    assert.deepEqual([any.info?.protocol, any.info?.source, any.info?.state], ['0x88cc', 'ANY', 'UNCONNECTED']);
    assert.deepEqual([...bound.warnings, ...any.warnings], []);
  });

  it('UNIX stream sockets: abstract name with @, the peer path and inode, sk_state as the state; an eBPF socket filter', async () => {
    const address = (sunPath: Uint8Array) => {
      const at = alloc();
      enc.struct('unix_address', at, { len: 2 + sunPath.length });
      enc.memory.write(at + BigInt(kernel.layout.offset('unix_address', 'name') + 2), sunPath);
      return at;
    };
    const server = socketFile({
      sockStruct: 'unix_sock',
      sk: {
        'sk.__sk_common.skc_family': 1,
        'sk.sk_type': 1,
        'sk.__sk_common.skc_state': 1,
        addr: address(new TextEncoder().encode('/run/peer.sock\0')),
      },
      socketState: 3,
      ino: 7001,
      uid: 0,
    });
    const prog = alloc();
    const aux = alloc();
    enc.struct('bpf_prog_aux', aux, { id: 42, name: new TextEncoder().encode('sniff\0') });
    enc.struct('bpf_prog', prog, { type: 1, aux });
    const filter = enc.struct('sk_filter', alloc(), { prog });
    const client = socketFile({
      sockStruct: 'unix_sock',
      sk: {
        'sk.__sk_common.skc_family': 1,
        'sk.sk_type': 1,
        'sk.__sk_common.skc_state': 1,
        addr: address(Uint8Array.of(0, 0x61, 0, 0x62)),
        peer: server.sock,
        'sk.sk_filter': filter,
      },
      socketState: 3,
      ino: 7002,
      uid: 1000,
    });
    const { info, warnings } = await decode(client.file);
    assert.deepEqual(
      [info?.family, info?.type, info?.protocol, info?.source, info?.sourcePort, info?.destination, info?.destinationPort, info?.state, info?.uid],
      ['AF_UNIX', 'STREAM', null, '@a@b', 7002, '/run/peer.sock', 7001, 'ESTABLISHED', 1000],
    );
    assert.equal(info?.filter, 'filter_type=socket_filter,bpf_filter_type=eBPF,bpf_filter_id=42,bpf_filter_name=sniff');
    assert.deepEqual(warnings, []);
  });

  it('an IPv6 UDP socket connected to a peer: RFC 5952 addresses, host-order local and network-order remote port, CONNECTED', async () => {
    const ip = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
    const { file } = socketFile({
      sockStruct: 'inet_sock',
      sk: {
        'sk.__sk_common.skc_family': 10,
        'sk.sk_type': 2,
        'sk.sk_protocol': 17,
        'sk.__sk_common.skc_state': 1,
        'sk.__sk_common.skc_num': 5353,
        'sk.__sk_common.skc_dport': Uint8Array.of(0x01, 0xbb),
        'sk.__sk_common.skc_v6_rcv_saddr': ip('20010db8000000000000000000000001'),
        'sk.__sk_common.skc_v6_daddr': ip('fe800000000000000000000000001234'),
      },
      socketState: 3,
      ino: 8000,
      uid: 0,
    });
    const { info } = await decode(file);
    assert.deepEqual(
      [info?.family, info?.protocol, info?.source, info?.sourcePort, info?.destination, info?.destinationPort, info?.state],
      ['AF_INET6', 'UDP', '2001:db8::1', 5353, 'fe80::1234', 443, 'CONNECTED'],
    );
  });

  it('a socket whose sock is unmapped, or whose socket does not point back at its file: no row, a warning, no throw', async () => {
    const { file, sock } = socketFile({ sockStruct: 'inet_sock', sk: {}, socketState: 1, ino: 9000, uid: 0 });
    const socket = (await memory.readU64(file + BigInt(kernel.layout.offset('file', 'private_data'))))!;
    enc.set('socket', socket, 'sk', 0xffff_8880_dead_0000n);
    const unmapped = await decode(file);
    assert.equal(unmapped.info, null);
    assert.deepEqual(unmapped.warnings, [{ code: 'UNREADABLE', message: 'struct sock not readable', address: '0xffff8880dead0000' }]);
    enc.set('socket', socket, 'sk', sock);
    enc.set('socket', socket, 'file', 0n);
    const foreign = await decode(file);
    assert.equal(foreign.info, null);
    assert.deepEqual(foreign.warnings, [
      {
        code: 'SMEAR',
        message: `socket file: its struct socket (0x${socket.toString(16)}) does not point back to it; skipped`,
        address: `0x${file.toString(16)}`,
      },
    ]);
  });

  it('without the socket_file_ops symbol a socket is recognised by its S_IFSOCK inode, other files are not', async () => {
    const noSymbol = Object.create(kernel, {
      hasSymbol: { value: (name: string) => name !== 'socket_file_ops' && kernel.hasSymbol(name) },
    }) as LinuxKernel;
    const { file } = socketFile({
      sockStruct: 'inet_sock',
      sk: { 'sk.__sk_common.skc_family': 2, 'sk.sk_type': 1, 'sk.sk_protocol': 6, 'sk.__sk_common.skc_state': 10 },
      socketState: 1,
      ino: 9100,
      uid: 0,
    });
    enc.set('file', file, 'f_op', 0xffff_ffff_8100_0000n);
    assert.deepEqual([(await decode(file, noSymbol)).info?.state, (await decode(file, noSymbol)).info?.inode], ['LISTEN', 9100]);
    const inode = (await memory.readU64(file + BigInt(kernel.layout.offset('file', 'f_inode'))))!;
    enc.set('inode', inode, 'i_mode', 0o100644);
    assert.equal((await decode(file, noSymbol)).info, null);
    assert.equal((await decode(file)).info, null, 'with the symbol: f_op is not socket_file_ops');
  });

  it('a file descriptor table with an absurd max_fds and unmapped pages: capped, the readable descriptors, one counted warning', async () => {
    const array = alloc(MAX_FDS * 8);
    const slots = new Map([
      [5, 0xffff_8880_0000_1000n],
      [1000, 0xffff_8880_0000_2000n],
      [1600, 0xffff_8880_0000_3000n],
    ]);
    for (const page of [0, 1, 3]) enc.memory.write(array + BigInt(page * 4096), new Uint8Array(4096));
    for (const [fd, file] of slots) enc.memory.write(array + BigInt(fd * 8), new Uint8Array(new BigUint64Array([file]).buffer));
    const fdt = enc.struct('fdtable', alloc(), { max_fds: 0xffffffff, fd: array });
    const files = enc.struct('files_struct', alloc(), { fdt });
    const taskBytes = new Uint8Array(kernel.layout.size('task_struct'));
    const taskView: StructReader = new StructView(kernel.layout, 'task_struct', taskBytes, 0xffff_8880_0200_0000n);
    new DataView(taskBytes.buffer).setBigUint64(taskView.offsetOf('files'), files, true);
    const task = { pid: 4242, comm: 'hostile', view: taskView } as TaskRecord;
    const warnings: RunWarning[] = [];
    const got: [number, bigint][] = [];
    for await (const f of openFiles(kernel, task, (w) => warnings.push(w))) got.push([f.fd, f.file]);
    assert.deepEqual(got, [...slots]);
    assert.deepEqual(warnings, [
      {
        code: 'LIMIT',
        message: `PID 4242 (hostile): file descriptor table claims 4294967295 slots; only the first ${MAX_FDS} are read`,
        address: `0x${fdt.toString(16)}`,
      },
      {
        code: 'UNREADABLE',
        message: `PID 4242 (hostile): ${MAX_FDS - 3 * 512} of ${MAX_FDS} file descriptor slots not readable`,
        address: `0x${array.toString(16)}`,
      },
    ]);
  });
});
