import { hex } from '../../io/hex.ts';
import type { Neighbour } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** include/uapi/linux/neighbour.h NUD_* bits, as `ip neigh` names them. */
const NUD_STATES: readonly [number, string][] = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];
const NUD_VALID = 0x80 | 0x40 | 0x02 | 0x10 | 0x04 | 0x08;
/** /proc/net/arp flags: ATF_COM (completed), ATF_PERM (permanent). */
const ATF_COM = 0x2;
const ATF_PERM = 0x4;
const MAX_HASH_SHIFT = 24;
const MAX_CHAIN = 4096;
const MAX_ENTRIES = 1 << 20;

/** Entries of the ARP (arp_tbl) and NDP (nd_tbl) neighbour tables, walking each hash bucket's chain. */
export async function* listNeighbours(kernel: LinuxKernel, warn: Warn): AsyncGenerator<Neighbour> {
  for (const [symbol, family] of [
    ['arp_tbl', 'IPv4'],
    ['nd_tbl', 'IPv6'],
  ] as const) {
    if (kernel.lacksSymbol(symbol)) continue;
    const table = await kernel.readStruct('neigh_table', kernel.symbolAddress(symbol));
    const hash = table && (await kernel.readStruct('neigh_hash_table', table.u64('nht')));
    if (!table || !hash) {
      warn({
        code: 'UNREADABLE',
        message: `${symbol}: neighbour table not readable`,
        address: hex(table?.u64('nht') ?? kernel.symbolAddress(symbol)),
      });
      continue;
    }
    const shift = hash.u32('hash_shift');
    if (shift > MAX_HASH_SHIFT) {
      warn({ code: 'SMEAR', message: `${symbol}: hash table of 2^${shift} buckets is implausible; skipped`, address: hex(hash.address) });
      continue;
    }
    const bucketsAt = hash.u64('hash_buckets');
    const buckets = await kernel.vm.read(bucketsAt, 8 << shift);
    if (!buckets) {
      warn({ code: 'UNREADABLE', message: `${symbol}: hash buckets not readable`, address: hex(bucketsAt) });
      continue;
    }
    const dv = new DataView(buckets.buffer, buckets.byteOffset, buckets.byteLength);
    const seen = new Set<bigint>();
    for (let b = 0; b < 1 << shift; b++) {
      let entry = dv.getBigUint64(b * 8, true);
      // Where `entry` was read: the bucket, then each neighbour's `next`.
      let from = bucketsAt + BigInt(b * 8);
      for (let n = 0; entry !== 0n; n++) {
        if (seen.has(entry)) {
          const message = `${symbol}: bucket ${b} leads back to ${hex(entry)}, a neighbour already read; rest of the chain skipped`;
          warn({ code: 'SMEAR', message, address: hex(from) });
          break;
        }
        if (n >= MAX_CHAIN || seen.size >= MAX_ENTRIES) {
          const message = `${symbol}: bucket ${b} longer than ${MAX_CHAIN} entries or table larger than ${MAX_ENTRIES}; rest of the chain skipped`;
          warn({ code: 'LIMIT', message, address: hex(from) });
          break;
        }
        seen.add(entry);
        const view = await kernel.readStruct('neighbour', entry);
        if (!view) {
          warn({ code: 'UNREADABLE', message: `${symbol}: neighbour not readable; rest of the chain skipped`, address: hex(entry) });
          break;
        }
        const neighbour = await readNeighbour(kernel, view, family, table.int('key_len'));
        if (neighbour) yield neighbour;
        from = entry;
        entry = view.u64('next');
      }
    }
  }
}

async function readNeighbour(kernel: LinuxKernel, view: StructView, family: 'IPv4' | 'IPv6', keyLength: number): Promise<Neighbour | null> {
  const key = await kernel.vm.read(view.addressOf('primary_key'), family === 'IPv4' ? 4 : 16);
  if (!key || keyLength !== key.length) return null;
  const dev = await kernel.readStruct('net_device', view.u64('dev'));
  const addrLength = Math.min(dev ? dev.u8('addr_len') : 6, view.raw('ha').length);
  const nud = view.u8('nud_state');
  return {
    address: view.address,
    family,
    ip: family === 'IPv4' ? ipv4(key) : ipv6(key),
    mac: Array.from(view.raw('ha').subarray(0, addrLength), (b) => b.toString(16).padStart(2, '0')).join(':'),
    device: dev ? cString(dev.raw('name')) : '?',
    state:
      NUD_STATES.filter(([bit]) => nud & bit)
        .map(([, name]) => name)
        .join(',') || 'NONE',
    flags: (nud & NUD_VALID ? ATF_COM : 0) | (nud & 0x80 ? ATF_PERM : 0),
  };
}
