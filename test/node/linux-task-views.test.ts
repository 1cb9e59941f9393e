// The views of Linux tasks on the real 6.1 capture — the scan of physical memory (linux.psscan), the PID lookup table
// (linux.pidhashtable) and their cross-view (linux.psxview): every task the guest listed (truth.json), the helper
// commands that printed the truth and had exited by the capture, and a process unlinked from the task list the way a
// rootkit hides one.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { listTasks } from '../../src/os/linux/task.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage } from '../helpers/linux-image-patch.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, rowsByColumn, runByColumn } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

interface TruthProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly tids: readonly number[];
}

const truthProcesses = () => linuxTruth()['processes'] as TruthProcess[];

for (const capture of LINUX_CAPTURES) {
  describe(`linux.psscan, linux.pidhashtable and linux.psxview on ${capture}`, { skip }, () => {
    let rows: Record<string, Cell>[];
    let hashed: Record<string, Cell>[];
    let crossView: Record<string, Cell>[];

    before(async () => {
      const session = await openLinuxSession(capture);
      try {
        rows = await rowsByColumn(session, 'linux.psscan');
        hashed = await rowsByColumn(session, 'linux.pidhashtable');
        crossView = await rowsByColumn(session, 'linux.psxview');
      } finally {
        await session.close();
      }
    });

    it('finds each task of every process the guest had, once, live, with its PID, parent and name', () => {
      for (const p of truthProcesses()) {
        for (const tid of p.tids) {
          const found = rows.filter((r) => r['TID'] === tid && r['EXIT_STATE'] === 'TASK_RUNNING');
          assert.deepEqual(
            found.map((r) => [r['PID'], r['PPID'], r['COMM']]),
            [[p.pid, p.ppid, p.comm]],
            `task ${tid}`,
          );
        }
      }
    });

    it('also finds tasks that had exited, and every row is a task_struct at its physical offset', () => {
      const listed = new Set(truthProcesses().flatMap((p) => p.tids));
      const exited = rows.filter((r) => !listed.has(Number(r['TID'])) && r['EXIT_STATE'] !== 'TASK_RUNNING');
      // /init ran commands to print the truth after starting the processes above: they exited before the capture.
      assert.ok(exited.length > 0, 'no exited task found');
      assert.ok(
        exited.every(
          (r) =>
            Number(r['TID']) >
            Math.max(
              ...truthProcesses()
                .filter((p) => p.comm.startsWith('memimg'))
                .map((p) => p.pid),
            ),
        ),
        'exited tasks were started after the guest’s processes',
      );
      assert.deepEqual(
        rows.map((r) => r['OFFSET (P)']),
        [...rows.map((r) => r['OFFSET (P)'])].sort((a, b) => Number(a) - Number(b)),
        'in address order',
      );
    });

    it('linux.pidhashtable: every task of the guest by PID, in PID order', () => {
      const expected = truthProcesses()
        .flatMap((p) => p.tids.map((tid) => [p.pid, tid, p.ppid, p.comm]))
        .sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]));
      assert.deepEqual(
        hashed.map((r) => [r['PID'], r['TID'], r['PPID'], r['COMM']]),
        expected,
      );
    });

    it('linux.psxview: every live task in all three views; the exited ones in the scan only', () => {
      const live = crossView.filter((r) => r['EXIT_STATE'] === 'TASK_RUNNING');
      assert.deepEqual(
        live.map((r) => r['TID']).sort((a, b) => Number(a) - Number(b)),
        hashed.map((r) => r['TID']).sort((a, b) => Number(a) - Number(b)),
      );
      assert.ok(live.every((r) => r['pslist'] && r['pid_hash'] && r['psscan']));
      const exited = crossView.filter((r) => r['EXIT_STATE'] !== 'TASK_RUNNING');
      assert.ok(exited.length > 0);
      assert.ok(exited.every((r) => !r['pslist'] && !r['pid_hash'] && r['psscan']));
    });
  });
}

describe('a process unlinked from the task list', { skip }, () => {
  it('memimg_charlie, taken off init_task.tasks: gone from linux.pslist, still in the PID table and the scan', async () => {
    const image = await loadLinuxImage();
    const { kernel } = image;
    const tasks = [];
    for await (const t of listTasks(kernel, (w) => assert.fail(w.message))) tasks.push(t);
    const hidden = tasks.find((t) => t.comm === 'memimg_charlie')!;
    const p = new ImagePatch(image);
    await p.unlink(hidden.address + BigInt(kernel.layout.offset('task_struct', 'tasks')));
    const patched = await p.open();
    try {
      const listed = await rowsByColumn(patched, 'linux.pslist');
      assert.equal(listed.length, tasks.length - 1);
      assert.ok(!listed.some((r) => r['PID'] === hidden.pid));
      const scanned = await rowsByColumn(patched, 'linux.psscan');
      const row = scanned.find((r) => r['TID'] === hidden.tid)!;
      assert.deepEqual([row['PID'], row['PPID'], row['COMM'], row['EXIT_STATE']], [hidden.pid, hidden.ppid, 'memimg_charlie', 'TASK_RUNNING']);
      assert.equal(row['OFFSET (P)'], await kernel.vm.translate(hidden.address));
      const hashed = await rowsByColumn(patched, 'linux.pidhashtable');
      assert.deepEqual(
        hashed.filter((r) => r['TID'] === hidden.tid).map((r) => [r['OFFSET'], r['COMM']]),
        [[hidden.address, 'memimg_charlie']],
      );
      const crossView = await rowsByColumn(patched, 'linux.psxview');
      const hiddenRows = crossView.filter((r) => !r['pslist'] && r['EXIT_STATE'] === 'TASK_RUNNING');
      assert.deepEqual(
        hiddenRows.map((r) => [r['COMM'], r['PID'], r['pid_hash'], r['psscan']]),
        [['memimg_charlie', hidden.pid, true, true]],
      );
    } finally {
      await patched.close();
    }
  });
});

describe('a PID IDR looping back on itself', { skip }, () => {
  it('linux.pidhashtable reads each node once, ends with a SMEAR warning and keeps the tasks it reached', async () => {
    const image = await loadLinuxImage();
    const { kernel } = image;
    const idr = kernel.symbolAddress('init_pid_ns') + BigInt(kernel.layout.offset('pid_namespace', 'idr'));
    const head = (await kernel.vm.readU64(idr + BigInt(kernel.layout.offset('xarray', 'xa_head'))))!;
    assert.equal(head & 3n, 2n, 'the IDR holds a node');
    const node = head - 2n;
    const p = new ImagePatch(image);
    // The root's last slot points back at the root.
    await p.write(
      node + BigInt(kernel.layout.offset('xa_node', 'slots')) + 63n * 8n,
      (() => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, head, true);
        return b;
      })(),
    );
    const patched = await p.open();
    try {
      const { rows, warnings } = await runByColumn(patched, 'linux.pidhashtable');
      assert.deepEqual(
        warnings.map((w) => [w.code, w.message]),
        [['SMEAR', 'the PID IDR (init_pid_ns): a node is reached twice']],
      );
      assert.equal(new Set(rows.map((r) => r['TID'])).size, rows.length, 'each task once');
      assert.ok(rows.length > 0);
    } finally {
      await patched.close();
    }
  });
});
