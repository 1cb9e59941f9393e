import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { ipv6 } from '../../src/os/linux/sockets.ts';
import type { Session } from '../../src/engine/session.ts';
import { LINUX_FIXTURE_DIR, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, LINUX_CAPTURES, openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';

interface TruthModule {
  name: string;
  size: number;
  refcount: number;
  deps: string[];
  state: string;
  address: string;
}
interface TruthMount {
  device: string;
  mountpoint: string;
  fstype: string;
  options: string;
  mount_id: number;
  parent_id: number;
  dev: string;
}

interface TruthArp {
  ip: string;
  mac: string;
  dev: string;
  flags: string;
  state: string;
}

const skip = linuxFixtureSkipReason();

/** Kernel lines of the serial console log: "[    1.234567] text" → ["1.234567", "text"]. */
function consoleKernelLines(): [string, string][] {
  const text = readFileSync(join(LINUX_FIXTURE_DIR, 'linux-a.console'), 'latin1');
  return [...text.matchAll(/^\[\s*(\d+\.\d{6})\] (.*?)\r?$/gm)].map((m) => [m[1]!, m[2]!]);
}


for (const capture of LINUX_CAPTURES) {
  describe(`Linux kernel state from ${capture} (no symbol files)`, { skip }, () => {
    let session: Session;
    before(async () => {
      session = await openLinuxSession(capture);
    });
    after(() => session?.close());

    test('linux.lsmod lists exactly the loaded modules with size, refcount, state and load address', async () => {
      const rows = await rowsByColumn(session, 'linux.lsmod');
      const got = rows.map((r) => ({ name: r['Name'], size: r['Size'], refcount: r['Refcount'], state: r['State'], address: r['Base'], deps: String(r['Used by']).split(',').filter(Boolean) }));
      const want = (linuxTruth()['modules'] as TruthModule[]).map((m) => ({ name: m.name, size: m.size, refcount: m.refcount, state: m.state, address: BigInt(m.address), deps: m.deps }));
      assert.deepEqual(got, want);
    });

    test('linux.arp: the guest’s ARP table (as /proc/net/arp shows it: NOARP entries hidden) and plausible IPv6 neighbours', async () => {
      const rows = await rowsByColumn(session, 'linux.arp');
      const arp = rows
        .filter((r) => r['Family'] === 'IPv4' && r['State'] !== 'NOARP')
        .map((r) => ({ ip: r['IP Address'], mac: r['MAC Address'], dev: r['Device'], flags: r['Flags'], state: r['State'] }));
      const want = (linuxTruth()['arp'] as TruthArp[]).map((a) => ({ ip: a.ip, mac: a.mac, dev: a.dev, flags: a.flags, state: a.state }));
      const order = (a: { ip: unknown }, b: { ip: unknown }) => String(a.ip).localeCompare(String(b.ip));
      assert.deepEqual(arp.sort(order), want.sort(order));
      const devices = new Set((linuxTruth()['interfaces'] as { name: string }[]).map((i) => i.name));
      for (const r of rows) assert.ok(devices.has(String(r['Device'])), `${r['IP Address']} on ${r['Device']}`);
    });

    test('linux.kmsg: the kernel log as the guest’s serial console printed it, from the banner on', async () => {
      const rows = await rowsByColumn(session, 'linux.kmsg');
      const logged = new Set(rows.map((r) => `${r['timestamp']} ${r['line']}`));
      const consoleLines = consoleKernelLines();
      const first = Number(rows[0]!['timestamp']);
      const missing = consoleLines.filter(([ts, text]) => Number(ts) >= first && !logged.has(`${ts} ${text}`));
      assert.deepEqual(missing, []);
      assert.ok(consoleLines.length >= 100, `${consoleLines.length} console lines`);
      assert.equal(rows[0]!['line'], (linuxTruth()['kernel'] as { version_string: string }).version_string);
    });

    test('linux.mountinfo lists exactly the mounts with ids, devices, paths, types and sources', async () => {
      const rows = await rowsByColumn(session, 'linux.mountinfo');
      const got = rows.map((r) => ({ mount_id: r['MOUNT ID'], parent_id: r['PARENT_ID'], dev: r['MAJOR:MINOR'], mountpoint: r['MOUNT_POINT'], fstype: r['FSTYPE'], device: r['MOUNT_SRC'] }));
      const want = (linuxTruth()['mounts'] as TruthMount[]).map((m) => ({ mount_id: m.mount_id, parent_id: m.parent_id, dev: m.dev, mountpoint: m.mountpoint, fstype: m.fstype, device: m.device }));
      assert.deepEqual(got, want);
    });

    test('linux.mountinfo --mount-format gives /proc/mounts lines, options included', async () => {
      const rows = await collect(session, 'linux.mountinfo', { 'mount-format': true });
      const got = rows.map((r) => r.values.slice(1).join(' '));
      const want = (linuxTruth()['mounts'] as TruthMount[]).map((m) => `${m.device} ${m.mountpoint} ${m.fstype} ${m.options}`);
      assert.deepEqual(got, want);
    });
  });
}

describe('socket address text', () => {
  it('IPv6 as RFC 5952 (longest zero run compressed, v4-mapped dotted)', () => {
    const v6 = (hex: string) => ipv6(Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))));
    assert.equal(v6('00000000000000000000000000000000'), '::');
    assert.equal(v6('00000000000000000000000000000001'), '::1');
    assert.equal(v6('fe80000000000000146c57fffe55378e'), 'fe80::146c:57ff:fe55:378e');
    assert.equal(v6('00000000000000000000ffff7f000001'), '::ffff:127.0.0.1');
    assert.equal(v6('20010db8000000010000000000000001'), '2001:db8:0:1::1');
    assert.equal(v6('20010db8000100020003000400050006'), '2001:db8:1:2:3:4:5:6');
  });
});
