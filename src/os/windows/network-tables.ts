import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { namedListLinks } from '../list-walk.ts';
import type { EndpointKind } from './endpoint-reader.ts';
import {
  COMPARTMENT_SET_INET_COMPARTMENT,
  INET_COMPARTMENT_PROTOCOL,
  PARTITION_ENDPOINTS,
  PORT_ASSIGNMENT_LIST,
  PORTS_PER_ASSIGNMENT,
  PROTOCOL_COMPARTMENT_PORT_POOL,
  type TableLayout,
} from './tcpip-layouts.ts';
import type { TcpipModule } from './tcpip-module.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** A tcpip object reached from tcpip's globals: its kind and the kernel address of its structure. */
export interface TableObject {
  readonly kind: EndpointKind;
  readonly address: bigint;
}

/** A bucket's chain or a port's Next chain longer than these is smear or a loop. */
const MAX_BUCKET_CHAIN = 1 << 12;
const MAX_PORT_CHAIN = 1 << 8;
/**
 * Buckets read per partition. The Directory is read flat, as Volatility 3 reads it: that is the bucket array itself
 * while TableSize is at most 128; a larger table's Directory is a first-level array of pointers to bucket arrays,
 * which neither follows, so a TableSize far beyond that is smear either way.
 */
const MAX_BUCKETS = 1 << 12;
/** One bit per port. */
const MAX_BITMAP_BITS = 1 << 16;
const LIST_ENTRY_SIZE = 16n;
/** Entry and Next carry flags in their low two bits. */
const POINTER_FLAGS = 3n;

const u64 = (kernel: WindowsKernel, address: bigint) => kernel.vm.readU64(BigInt.asUintN(64, address));

/**
 * tcpip's own tables, as Volatility 3's windows.netstat walks them: the established TCP endpoints of every
 * partition's hash table (each bucket's chain, bounded and cycle-guarded), then the TCP listeners and the UDP
 * endpoints of the ports each port pool's bitmap marks as taken (each port's Next chain, bounded and cycle-guarded).
 * What cannot be followed is a warning naming where it broke.
 */
export async function* tcpipTableObjects(kernel: WindowsKernel, tcpip: TcpipModule, tables: TableLayout, warn: Warn): AsyncGenerator<TableObject> {
  yield* partitionEndpoints(kernel, tcpip, tables, warn);
  const global = (name: string) => tcpip.base + tcpip.symbols.symbol(name)!;
  for (const [proto, kind, next] of [
    ['Tcp', 'listener', tables.listenerNext],
    ['Udp', 'udp', tables.udpNext],
  ] as const) {
    const pool = await portPool(kernel, tcpip, proto, global);
    if (pool === null) {
      warn({
        code: 'UNREADABLE',
        message: `${proto}PortPool: the port pool is not reachable from tcpip's globals`,
        address: hex(global(`${proto}CompartmentSet`)),
      });
      continue;
    }
    for (const port of await takenPorts(kernel, pool + BigInt(tables.portBitmap), `${proto}PortPool`, warn)) {
      for await (const address of portObjects(kernel, pool, port, tables, next, `${proto}PortPool port ${port}`, warn)) yield { kind, address };
    }
  }
}

/** The _INET_PORT_POOL: UdpPortPool/TcpPortPool where the table has them, else through the compartment set. */
async function portPool(kernel: WindowsKernel, tcpip: TcpipModule, proto: 'Tcp' | 'Udp', global: (name: string) => bigint): Promise<bigint | null> {
  if (tcpip.symbols.symbol(`${proto}PortPool`) !== undefined) return nonNull(await u64(kernel, global(`${proto}PortPool`)));
  const set = nonNull(await u64(kernel, global(`${proto}CompartmentSet`)));
  const compartment = set && nonNull(await u64(kernel, set + BigInt(COMPARTMENT_SET_INET_COMPARTMENT)));
  const protocol = compartment && nonNull(await u64(kernel, compartment + BigInt(INET_COMPARTMENT_PROTOCOL)));
  return protocol && nonNull(await u64(kernel, protocol + BigInt(PROTOCOL_COMPARTMENT_PORT_POOL)));
}

const nonNull = (v: bigint | null): bigint | null => (v === 0n ? null : v);

/** The ports (1..65535) whose bits the pool's _RTL_BITMAP sets; none, with a warning, when it is unreadable. */
async function takenPorts(kernel: WindowsKernel, bitmap: bigint, what: string, warn: Warn): Promise<number[]> {
  const size = await kernel.vm.read(bitmap + BigInt(kernel.layout.offset('_RTL_BITMAP', 'SizeOfBitMap')), 4);
  const buffer = await u64(kernel, bitmap + BigInt(kernel.layout.offset('_RTL_BITMAP', 'Buffer')));
  const bits = size && new DataView(size.buffer, size.byteOffset, 4).getUint32(0, true);
  if (bits === null || buffer === null || bits > MAX_BITMAP_BITS) {
    warn({ code: 'UNREADABLE', message: `${what}: port bitmap unreadable or larger than ${MAX_BITMAP_BITS} bits`, address: hex(bitmap) });
    return [];
  }
  const bytes = await kernel.vm.read(buffer, Math.ceil(bits / 8));
  if (bytes === null) {
    warn({ code: 'UNREADABLE', message: `${what}: port bitmap buffer unreadable`, address: hex(buffer) });
    return [];
  }
  const ports: number[] = [];
  for (let port = 1; port < bits; port++) if (bytes[port >> 3]! & (1 << (port & 7))) ports.push(port);
  return ports;
}

/** The objects bound to `port`: its assignment's Entry (pointing at the object's Next field), then the Next chain. */
async function* portObjects(
  kernel: WindowsKernel,
  pool: bigint,
  port: number,
  tables: TableLayout,
  next: number,
  what: string,
  warn: Warn,
): AsyncGenerator<bigint> {
  const assignment = nonNull(await u64(kernel, pool + BigInt(tables.portAssignments + 8 * Math.floor(port / PORTS_PER_ASSIGNMENT))));
  const list = assignment && nonNull(await u64(kernel, assignment + BigInt(PORT_ASSIGNMENT_LIST)));
  const slot = list && list + BigInt((port % PORTS_PER_ASSIGNMENT) * tables.assignmentSize + tables.assignmentEntry);
  const entry = slot && (await u64(kernel, slot));
  let link = entry === null || entry === 0n ? null : entry & ~POINTER_FLAGS;
  if (link === null) {
    warn({ code: 'SMEAR', message: `${what}: the bitmap marks the port taken but no object is assigned to it`, address: hex(slot ?? pool) });
    return;
  }
  const seen = new Set<bigint>();
  while (link !== null && link !== 0n) {
    if (seen.has(link))
      return warn({ code: 'SMEAR', message: `${what}: Next chain loops back after ${seen.size} objects: walk stopped`, address: hex(link) });
    if (seen.size >= MAX_PORT_CHAIN)
      return warn({ code: 'LIMIT', message: `${what}: Next chain longer than ${MAX_PORT_CHAIN}: walk stopped`, address: hex(link) });
    seen.add(link);
    yield link - BigInt(next);
    const after = await u64(kernel, link);
    if (after === null) return warn({ code: 'UNREADABLE', message: `${what}: Next unreadable after ${seen.size} objects`, address: hex(link) });
    link = after & ~POINTER_FLAGS;
  }
}

/** Every partition's _RTL_DYNAMIC_HASH_TABLE of endpoints, its buckets (a flat Directory, as Volatility reads it) walked. */
async function* partitionEndpoints(kernel: WindowsKernel, tcpip: TcpipModule, tables: TableLayout, warn: Warn): AsyncGenerator<TableObject> {
  const tableAddress = await u64(kernel, tcpip.base + tcpip.symbols.symbol('PartitionTable')!);
  const count = await kernel.vm.read(tcpip.base + tcpip.symbols.symbol('PartitionCount')!, 1);
  if (tableAddress === null || tableAddress === 0n || count === null) {
    warn({
      code: 'UNREADABLE',
      message: 'PartitionTable or PartitionCount unreadable: no established TCP endpoints listed',
      address: hex(tcpip.base),
    });
    return;
  }
  const field = (name: string) => BigInt(kernel.layout.offset('_RTL_DYNAMIC_HASH_TABLE', name));
  for (let i = 0; i < count[0]!; i++) {
    const what = `TCP endpoint partition ${i}`;
    const hashTable = nonNull(await u64(kernel, tableAddress + BigInt(i * tables.partitionSize + PARTITION_ENDPOINTS)));
    const head = hashTable && (await kernel.vm.read(hashTable, Number(field('Directory')) + 8));
    if (!hashTable || !head) {
      warn({ code: 'UNREADABLE', message: `${what}: endpoint hash table unreadable`, address: hex(tableAddress) });
      continue;
    }
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (dv.getUint32(Number(field('NumEntries')), true) === 0) continue;
    const size = dv.getUint32(Number(field('TableSize')), true);
    const directory = dv.getBigUint64(Number(field('Directory')), true);
    if ((await kernel.vm.read(directory, Number(LIST_ENTRY_SIZE))) === null) {
      warn({ code: 'UNREADABLE', message: `${what}: bucket directory unreadable`, address: hex(directory) });
      continue;
    }
    if (size > MAX_BUCKETS) warn({ code: 'LIMIT', message: `${what}: TableSize ${size} cut to ${MAX_BUCKETS} buckets`, address: hex(hashTable) });
    for (let b = 0; b < Math.min(size, MAX_BUCKETS); b++) {
      const bucket = directory + BigInt(b) * LIST_ENTRY_SIZE;
      for await (const link of namedListLinks(kernel.vm, bucket, `${what} bucket ${b}`, warn, MAX_BUCKET_CHAIN)) {
        yield { kind: 'endpoint', address: link - BigInt(tables.endpointLinks) };
      }
    }
  }
}
