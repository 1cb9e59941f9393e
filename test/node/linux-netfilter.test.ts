// linux.netfilter on the real 6.1 capture: the guest runs AppArmor (its console says so), whose only netfilter hooks
// are security/apparmor/lsm.c's apparmor_nf_ops — apparmor_ip_postroute on IPv4 and IPv6 POST_ROUTING at
// NF_IP_PRI_SELINUX_FIRST / NF_IP6_PRI_SELINUX_FIRST (-225, include/uapi/linux/netfilter_ipv4.h, netfilter_ipv6.h)
// — in its one network namespace; then copies with hooks registered from a module and from free memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { listModules } from '../../src/os/linux/modules.ts';
import type { KernelModule } from '../../src/plugins/api.ts';
import type { Cell, CountedWarning } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { LINUX_FIXTURE_DIR, linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, runByColumn } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();
const SELINUX_FIRST = -225;

const apparmorHook = (netns: Cell, proto: string): Partial<Record<string, Cell>> => ({
  'Net NS': netns,
  Proto: proto,
  Hook: 'POST_ROUTING',
  Priority: SELINUX_FIRST,
  Module: '[apparmor_ip_postroute]',
  'Is Hooked': 'False',
});
const withoutHandler = (rows: Record<string, Cell>[]) => rows.map(({ Handler: _, ...rest }) => rest);

for (const capture of LINUX_CAPTURES) {
  describe(`linux.netfilter on ${capture}`, { skip }, () => {
    let run: { rows: Record<string, Cell>[]; warnings: readonly CountedWarning[] };
    let namespaces: Set<Cell>;

    before(async () => {
      const session = await openLinuxSession(capture);
      try {
        run = await runByColumn(session, 'linux.netfilter');
        namespaces = new Set((await runByColumn(session, 'linux.sockstat')).rows.map((r) => r['NetNS']));
      } finally {
        await session.close();
      }
    });

    it('lists AppArmor’s two POST_ROUTING hooks in the guest’s one network namespace, neither hooked', () => {
      assert.match(readFileSync(join(LINUX_FIXTURE_DIR, 'linux-a.console'), 'latin1'), /AppArmor: AppArmor initialized/);
      assert.equal(namespaces.size, 1);
      const [netns] = namespaces;
      assert.deepEqual(withoutHandler(run.rows), [apparmorHook(netns!, 'IPV4'), apparmorHook(netns!, 'IPV6')]);
      assert.equal(run.rows[0]!['Handler'], run.rows[1]!['Handler']);
      assert.deepEqual(run.warnings, []);
    });
  });
}

describe('linux.netfilter on copies with hooks registered', { skip }, () => {
  let image: LinuxImage;
  let dummy: KernelModule;

  before(async () => {
    image = await loadLinuxImage();
    for await (const m of listModules(image.kernel, (w) => assert.fail(w.message))) if (m.name === 'dummy') dummy = m;
  });

  const u64 = (value: bigint) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    return bytes;
  };

  /**
   * A struct nf_hook_entries as nf_hook_entries_grow builds it, in a free page: the count, the entries (hook, priv),
   * then the nf_hook_ops each came from (each in a free page of its own).
   */
  const hookEntries = async (p: ImagePatch, hooks: readonly { handler: bigint; priority: number }[]) => {
    const { layout } = image.kernel;
    const entries = await p.scratch('nf_hook_entries');
    await p.field('nf_hook_entries', entries, 'num_hook_entries', hooks.length);
    const first = entries + BigInt(layout.offset('nf_hook_entries', 'hooks'));
    const origOps = first + BigInt(hooks.length * layout.size('nf_hook_entry'));
    for (const [i, { handler, priority }] of hooks.entries()) {
      const ops = await p.scratch('nf_hook_ops');
      await p.field('nf_hook_ops', ops, 'hook', handler);
      await p.field('nf_hook_ops', ops, 'priority', priority);
      await p.field('nf_hook_entry', first + BigInt(i * layout.size('nf_hook_entry')), 'hook', handler);
      await p.write(origOps + BigInt(i * 8), u64(ops));
    }
    return entries;
  };

  it('an IPv4 LOCAL_IN hook from a module and one from free memory, an ingress hook on lo: module, then N/A and hooked', async () => {
    const { kernel } = image;
    const { layout } = kernel;
    const priorities = kernel.symbols.enumeration('nf_ip_hook_priorities')!.constants;
    const first = priorities.get('NF_IP_PRI_FIRST')!;
    const filter = priorities.get('NF_IP_PRI_FILTER')!;
    const p = new ImagePatch(image);
    const rogue = await p.scratch('list_head');
    const net = kernel.symbolAddress('init_net');
    const localIn = kernel.symbols.enumeration('nf_inet_hooks')!.constants.get('NF_INET_LOCAL_IN')!;
    const ipv4 = net + BigInt(layout.offset('net', 'nf') + layout.offset('netns_nf', 'hooks_ipv4') + localIn * 8);
    const module = dummy.base + 0x40n;
    await p.write(
      ipv4,
      u64(
        await hookEntries(p, [
          { handler: module, priority: first },
          { handler: rogue, priority: filter },
        ]),
      ),
    );
    const lo = (await kernel.vm.readU64(net + BigInt(layout.offset('net', 'loopback_dev'))))!;
    await p.field('net_device', lo, 'nf_hooks_ingress', await hookEntries(p, [{ handler: rogue + 0x10n, priority: 0 }]));
    const patched = await p.open();
    try {
      const { rows, warnings } = await runByColumn(patched, 'linux.netfilter');
      const netns = rows.find((r) => r['Proto'] === 'IPV6')!['Net NS'];
      const row = (proto: string, hook: string, priority: number, handler: bigint, module: string | null, hooked: string) => ({
        'Net NS': netns,
        Proto: proto,
        Hook: hook,
        Priority: priority,
        Handler: handler,
        Module: module,
        'Is Hooked': hooked,
      });
      assert.deepEqual(
        rows.map((r) => (r['Module'] === '[apparmor_ip_postroute]' ? 'apparmor' : r)),
        [
          row('IPV4', 'LOCAL_IN', first, module, 'dummy', 'False'),
          row('IPV4', 'LOCAL_IN', filter, rogue, null, 'True'),
          'apparmor',
          'apparmor',
          row('NETDEV', 'INGRESS', 0, rogue + 0x10n, null, 'True'),
        ],
      );
      assert.deepEqual(warnings, []);
    } finally {
      await patched.close();
    }
  });
});
