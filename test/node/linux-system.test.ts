import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { ipv6 } from '../../src/os/inet-address.ts';
import type { Session } from '../../src/engine/session.ts';
import { LINUX_FIXTURE_DIR, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINUX_CAPTURES, openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';

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

    test('the summary’s boot time: the console’s "setting system clock to …" (RTC, whole seconds) less its time after boot', () => {
      const [seconds, line] = consoleKernelLines().find(([, text]) => /setting system clock to .* \((\d+)\)$/.test(text))!;
      const rtc = Number(/\((\d+)\)$/.exec(line)![1]);
      // The RTC counts whole seconds: the boot lies within a second after rtc − seconds.
      const earliest = (rtc - Number(seconds)) * 1000;
      const booted = Date.parse(session.summary.bootTime!);
      assert.match(session.summary.bootTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      assert.ok(
        booted >= earliest - 50 && booted < earliest + 1050,
        `booted ${session.summary.bootTime}, console ${new Date(earliest).toISOString()} + < 1 s`,
      );
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
