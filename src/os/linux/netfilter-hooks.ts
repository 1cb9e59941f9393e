import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { NetfilterHook } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** include/uapi/linux/netfilter.h and netfilter_arp.h / netfilter_decnet.h: each family's hook numbers, in order. */
const INET_HOOKS = ['PRE_ROUTING', 'LOCAL_IN', 'FORWARD', 'LOCAL_OUT', 'POST_ROUTING'];
const ARP_HOOKS = ['IN', 'OUT', 'FORWARD'];
const DECNET_HOOKS = [...INET_HOOKS, 'HELLO', 'ROUTE'];
/** struct netns_nf's hook arrays (4.16+) by family, in NFPROTO_* order as Volatility 3 walks them; absent when the family is configured out. */
const FAMILIES: readonly (readonly [proto: string, field: string, hooks: readonly string[]])[] = [
  ['IPV4', 'hooks_ipv4', INET_HOOKS],
  ['ARP', 'hooks_arp', ARP_HOOKS],
  ['BRIDGE', 'hooks_bridge', INET_HOOKS],
  ['IPV6', 'hooks_ipv6', INET_HOOKS],
  ['DECNET', 'hooks_decnet', DECNET_HOOKS],
];
/** struct net_device's per-device hooks (NFPROTO_NETDEV): CONFIG_NETFILTER_INGRESS, CONFIG_NETFILTER_EGRESS (5.16+). */
const NETDEV_HOOKS: readonly (readonly [hook: string, field: string])[] = [
  ['INGRESS', 'nf_hooks_ingress'],
  ['EGRESS', 'nf_hooks_egress'],
];
/** No system has more network namespaces, or devices in one. */
const MAX_NAMESPACES = 65536;
const MAX_DEVICES = 65536;
const POINTER = 8;

/**
 * The netfilter hooks registered in every network namespace, as Volatility 3's linux.netfilter lists them: each
 * namespace's IPv4, ARP, bridge, IPv6 (and DECnet) hooks, then each namespace's devices' ingress and egress hooks.
 * A hook point holds a struct nf_hook_entries (4.14+): num_hook_entries, the entries, then the nf_hook_ops they were
 * registered from; each hook is reported as its nf_hook_ops gives it (handler and priority).
 */
export async function* netfilterHooks(kernel: LinuxKernel, warn: Warn): AsyncGenerator<NetfilterHook> {
  const layout = kernel.layout;
  if (!layout.has('netns_nf', 'hooks_ipv4')) {
    throw new MemscopeError(
      'UNSUPPORTED',
      'netfilter hooks are read from netns_nf.hooks_ipv4 (Linux 4.16+), which this kernel lacks',
      kernel.tableName,
    );
  }
  const namespaces: { net: bigint; netns: number | null }[] = [];
  const inumPath = layout.has('net', 'ns.inum') ? 'ns.inum' : null;
  const listAt = BigInt(layout.offset('net', 'list'));
  for await (const link of listEntries(kernel, kernel.symbolAddress('net_namespace_list'), 'network namespace list', warn, MAX_NAMESPACES)) {
    const net = link - listAt;
    namespaces.push({ net, netns: inumPath && (await kernel.vm.readU32(net + BigInt(layout.offset('net', inumPath)))) });
  }
  const nfAt = BigInt(layout.offset('net', 'nf'));
  for (const { net, netns } of namespaces) {
    for (const [protocol, field, hooks] of FAMILIES) {
      if (!layout.has('netns_nf', field)) continue;
      const array = net + nfAt + BigInt(layout.offset('netns_nf', field));
      const count = Math.min(hooks.length, layout.fieldSize('netns_nf', field) / POINTER);
      for (let i = 0; i < count; i++) {
        const about = `netns ${netns ?? '?'} ${protocol} ${hooks[i]}`;
        yield* hookPoint(kernel, await kernel.vm.readU64(array + BigInt(i * POINTER)), { netns, protocol, hook: hooks[i]! }, about, warn);
      }
    }
  }
  const devices = NETDEV_HOOKS.filter(([, field]) => layout.has('net_device', field));
  if (devices.length === 0) return;
  const devListAt = BigInt(layout.offset('net_device', 'dev_list'));
  for (const { net, netns } of namespaces) {
    const heads: bigint[] = [];
    for await (const link of listEntries(
      kernel,
      net + BigInt(layout.offset('net', 'dev_base_head')),
      `netns ${netns ?? '?'} device list`,
      warn,
      MAX_DEVICES,
    ))
      heads.push(link - devListAt);
    for (const [hook, field] of devices) {
      for (const device of heads) {
        const entries = await kernel.vm.readU64(device + BigInt(layout.offset('net_device', field)));
        yield* hookPoint(kernel, entries, { netns, protocol: 'NETDEV', hook }, `netns ${netns ?? '?'} device ${hex(device)} ${hook}`, warn);
      }
    }
  }
}

/** The hooks of one hook point's struct nf_hook_entries (none when the pointer is NULL). */
async function* hookPoint(
  kernel: LinuxKernel,
  entries: bigint | null,
  where: Pick<NetfilterHook, 'netns' | 'protocol' | 'hook'>,
  about: string,
  warn: Warn,
): AsyncGenerator<NetfilterHook> {
  if (entries === 0n) return;
  const header = entries === null ? null : await kernel.readStruct('nf_hook_entries', entries);
  if (!header) {
    warn({ code: 'UNREADABLE', message: `${about}: the hook entries are not readable`, ...(entries !== null && { address: hex(entries) }) });
    return;
  }
  const count = header.u16('num_hook_entries');
  if (count === 0) return;
  const origOps = header.addressOf('hooks') + BigInt(count * kernel.layout.size('nf_hook_entry'));
  const pointers = await kernel.vm.read(origOps, count * POINTER);
  if (!pointers) {
    warn({ code: 'UNREADABLE', message: `${about}: the ${count} hook registrations (orig_ops) are not readable`, address: hex(origOps) });
    return;
  }
  const dv = new DataView(pointers.buffer, pointers.byteOffset, pointers.byteLength);
  for (let i = 0; i < count; i++) {
    const address = dv.getBigUint64(i * POINTER, true);
    if (address === 0n) continue;
    const ops = await kernel.readStruct('nf_hook_ops', address);
    if (!ops) {
      warn({ code: 'UNREADABLE', message: `${about}: hook registration ${i} (nf_hook_ops) is not readable`, address: hex(address) });
      continue;
    }
    yield { ...where, priority: ops.u32('priority') | 0, handler: ops.u64('hook') };
  }
}
