import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
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

const skip = linuxFixtureSkipReason();

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
