// linux.psscan on the real 6.1 capture: every task the guest listed (truth.json), the helper commands that printed the
// truth and had exited by the capture, and a process unlinked from the task list the way a rootkit hides one.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { listTasks } from '../../src/os/linux/task.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage } from '../helpers/linux-image-patch.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

interface TruthProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly tids: readonly number[];
}

const truthProcesses = () => linuxTruth()['processes'] as TruthProcess[];

for (const capture of LINUX_CAPTURES) {
  describe(`linux.psscan on ${capture}`, { skip }, () => {
    let rows: Record<string, Cell>[];

    before(async () => {
      const session = await openLinuxSession(capture);
      try {
        rows = await rowsByColumn(session, 'linux.psscan');
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
  });
}

describe('linux.psscan finds a process unlinked from the task list', { skip }, () => {
  it('memimg_charlie, taken off init_task.tasks: gone from linux.pslist, still in linux.psscan', async () => {
    const image = await loadLinuxImage();
    const { kernel } = image;
    const tasks = [];
    for await (const t of listTasks(kernel, (w) => assert.fail(w.message))) tasks.push(t);
    const hidden = tasks.find((t) => t.comm === 'memimg_charlie')!;
    const link = hidden.address + BigInt(kernel.layout.offset('task_struct', 'tasks'));
    const next = (await kernel.vm.readU64(link))!;
    const prev = (await kernel.vm.readU64(link + 8n))!;
    const p = new ImagePatch(image);
    await p.field('list_head', prev, 'next', next);
    await p.field('list_head', next, 'prev', prev);
    const patched = await p.open();
    try {
      const listed = await rowsByColumn(patched, 'linux.pslist');
      assert.equal(listed.length, tasks.length - 1);
      assert.ok(!listed.some((r) => r['PID'] === hidden.pid));
      const scanned = await rowsByColumn(patched, 'linux.psscan');
      const row = scanned.find((r) => r['TID'] === hidden.tid)!;
      assert.deepEqual([row['PID'], row['PPID'], row['COMM'], row['EXIT_STATE']], [hidden.pid, hidden.ppid, 'memimg_charlie', 'TASK_RUNNING']);
      assert.equal(row['OFFSET (P)'], await kernel.vm.translate(hidden.address));
    } finally {
      await patched.close();
    }
  });
});
