/**
 * windows.threads, windows.thrdscan and windows.psxview on generated images of each Windows kernel, against
 * expected.json: every listed process's threads in list order (--pid), every thread in pool (exited and hidden
 * processes' too, no decoy), and the cross-view of the processes (the hidden one False in pslist only, exited ones
 * seen by the scans only, live processes with a session on its ProcessList, the hidden one included); and hostile thread lists (a loop, an implausible ActiveThreads): partial rows and a
 * warning, never a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedProcess, ExpectedThread, ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** Offset, PID, TID, StartAddress, CreateTime, ExitTime. */
const threadRow = (p: ExpectedProcess, t: ExpectedThread): unknown[] => [
  BigInt(t.offset),
  p.pid,
  t.tid,
  BigInt(t.startAddress),
  toVolatilityTime(t.createTime),
  toVolatilityTime(t.exitTime),
];
const listedRows = (processes: readonly ExpectedProcess[]): unknown[][] =>
  processes.filter((p) => p.linked).flatMap((p) => p.threadEntries.filter((t) => t.linked).map((t) => threadRow(p, t)));
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);
const byTid = (a: unknown[], b: unknown[]): number => (a[2] as number) - (b[2] as number);
const byName = (expected: ExpectedWindowsImage, name: string): ExpectedProcess => expected.processes.find((p) => p.name === name && p.linked)!;

/** What psxview should say of each process, derived from the other expected fields; sorted by PID. */
function psxviewRows(expected: ExpectedWindowsImage, physical: boolean): unknown[][] {
  const csrssHandles = new Set(
    expected.processes
      .filter((p) => p.linked && p.name === 'csrss.exe')
      .flatMap((p) => (p.handleEntries ?? []).filter((h) => h.type === 'Process').map((h) => BigInt(h.object))),
  );
  const onSessionLists = new Set(expected.sessions.flatMap((s) => s.pids));
  return expected.processes
    .map((p) => [
      BigInt(physical ? p.eprocessPhysical : p.eprocessVirtual),
      p.name,
      p.pid,
      p.linked,
      true,
      p.threadEntries.length > 0,
      csrssHandles.has(BigInt(p.eprocessVirtual)),
      onSessionLists.has(p.pid),
      p.exitTime === null ? '' : toVolatilityTime(p.exitTime)!.replace('T', ' '),
    ])
    .sort((a, b) => (a[2] as number) - (b[2] as number));
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.threads, thrdscan and psxview on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator gave live, hidden and exited processes threads, ActiveThreads of them linked', async () => {
      const { expected } = await image();
      for (const p of expected.processes) {
        assert.equal(p.threadEntries.filter((t) => t.linked).length, p.exited ? 0 : p.threads, p.name);
        if (p.exited) assert.ok(p.threadEntries.length > 0 && p.threadEntries.every((t) => t.exitTime !== null));
      }
      assert.ok(expected.processes.some((p) => p.hidden && p.threadEntries.length > 0));
      const tids = expected.processes.flatMap((p) => p.threadEntries.map((t) => t.tid));
      const pids = new Set(expected.processes.map((p) => p.pid));
      assert.equal(new Set(tids).size, tids.length);
      assert.ok(tids.every((tid) => tid % 4 === 0 && !pids.has(tid)));
    });

    it('the generator keeps live processes with a session, the hidden one too, on its ProcessList; no others', async () => {
      const { expected } = await image();
      const pids = expected.processes.map((p) => p.pid);
      assert.equal(new Set(pids).size, pids.length, 'PIDs are unique, so session pids name one process each');
      for (const p of expected.processes) {
        const on = expected.sessions.filter((s) => s.pids.includes(p.pid)).map((s) => s.id);
        assert.deepEqual(on, p.exited || p.sessionId === null ? [] : [p.sessionId], p.name);
      }
      const hidden = expected.processes.find((p) => p.hidden)!;
      assert.ok(hidden.sessionId !== null && expected.sessions.some((s) => s.pids.includes(hidden.pid)));
    });

    it('windows.threads lists every listed process’s threads in list order, exactly, without warnings; --pid filters', async () => {
      const { expected } = await image();
      const s = await session();
      const { rows, warnings } = await collectRun(s, 'windows.threads');
      assert.deepEqual(values(rows), listedRows(expected.processes));
      assert.deepEqual(warnings, []);
      const picked = [byName(expected, 'System'), byName(expected, 'explorer.exe')];
      const some = await collectRun(s, 'windows.threads', { pid: picked.map((p) => p.pid) });
      assert.deepEqual(values(some.rows), listedRows(picked));
    });

    it('windows.thrdscan finds every thread, exited and hidden processes’ included, and no decoy', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.thrdscan');
      const all = expected.processes.flatMap((p) => p.threadEntries.map((t) => threadRow(p, t)));
      assert.deepEqual(values(rows).sort(byTid), all.sort(byTid));
      assert.deepEqual(warnings, []);
      assert.ok(
        !values(rows).some((r) => r[2] === expected.threadDecoy.tid || r[0] === BigInt(expected.threadDecoy.offset)),
        expected.threadDecoy.why,
      );
    });

    it('windows.psxview: the hidden process False in pslist only, exited ones seen by the scans only', async () => {
      const { expected } = await image();
      const s = await session();
      const sorted = (rows: unknown[][]) => rows.sort((a, b) => (a[2] as number) - (b[2] as number));
      const { rows, warnings } = await collectRun(s, 'windows.psxview');
      assert.deepEqual(sorted(values(rows)), psxviewRows(expected, false));
      assert.deepEqual(warnings, []);
      const hidden = values(rows).find((r) => r[2] === expected.processes.find((p) => p.hidden)!.pid)!;
      assert.deepEqual(hidden.slice(3, 8), [false, true, true, true, true]);
      const physical = await collectRun(s, 'windows.psxview', { 'physical-offsets': true });
      assert.deepEqual(sorted(values(physical.rows)), psxviewRows(expected, true));
    });
  });
}

describe('windows.threads on hostile thread lists', () => {
  const OPTIONS = { size: SIZE, seed: 13 };

  async function setup() {
    const { image, expected } = await windowsImage(OPTIONS);
    const explorer = byName(expected, 'explorer.exe');
    const nt = await (await openWindowsSession(image)).kernel('windows');
    const copy = image.slice();
    const dv = new DataView(copy.buffer);
    const entry = BigInt(nt.layout.offset('_ETHREAD', 'ThreadListEntry'));
    const poke = (physical: bigint, value: bigint, bytes = 8) =>
      bytes === 8 ? dv.setBigUint64(Number(physical), value, true) : dv.setUint32(Number(physical), Number(value), true);
    const run = async () => collectRun(await openWindowsSession(copy), 'windows.threads', { pid: [explorer.pid] });
    return { nt, explorer, entry, poke, run };
  }

  it('a ThreadListEntry looping back to an earlier thread: the threads up to it and one warning', async () => {
    const t = await setup();
    const linked = t.explorer.threadEntries.filter((x) => x.linked);
    assert.ok(linked.length >= 3);
    // The third thread's Flink names the first thread again.
    await t.poke(BigInt(linked[2]!.physical) + t.entry, BigInt(linked[0]!.offset) + t.entry);
    const started = Date.now();
    const { rows, warnings } = await t.run();
    assert.deepEqual(
      values(rows),
      linked.slice(0, 3).map((x) => threadRow(t.explorer, x)),
    );
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message.startsWith(`PID ${t.explorer.pid} (`), w.message.includes('loops')]),
      [['SMEAR', true, true]],
    );
    assert.ok(Date.now() - started < 30_000);
  });

  it('an implausible ActiveThreads changes nothing: the list is walked, not counted', async () => {
    const t = await setup();
    await t.poke(BigInt(t.explorer.eprocessPhysical) + BigInt(t.nt.layout.offset('_EPROCESS', 'ActiveThreads')), 0xffffffffn, 4);
    const { rows, warnings } = await t.run();
    assert.deepEqual(values(rows), listedRows([t.explorer]));
    assert.deepEqual(warnings, []);
  });

  it('a thread whose Flink points into unmapped memory: the threads before it and one warning', async () => {
    const t = await setup();
    const linked = t.explorer.threadEntries.filter((x) => x.linked);
    await t.poke(BigInt(linked[1]!.physical) + t.entry, 0xffff_f6f0_dead_0000n);
    const { rows, warnings } = await t.run();
    assert.deepEqual(
      values(rows),
      linked.slice(0, 2).map((x) => threadRow(t.explorer, x)),
    );
    assert.equal(warnings.length, 1);
  });
});

describe('windows.psxview on a hostile session list', () => {
  it('a SessionProcessLinks looping back to an earlier process: the processes up to it in the session view and one warning', async () => {
    const { image, expected } = await windowsImage({ size: SIZE, seed: 13 });
    const nt = await (await openWindowsSession(image)).kernel('windows');
    const copy = image.slice();
    const links = BigInt(nt.layout.offset('_EPROCESS', 'SessionProcessLinks'));
    const session = expected.sessions.reduce((a, b) => (b.pids.length > a.pids.length ? b : a));
    assert.ok(session.pids.length >= 4);
    const member = (i: number) => expected.processes.find((p) => p.pid === session.pids[i])!;
    // The third member's Flink names the first member again: the rest of the list is never reached.
    new DataView(copy.buffer).setBigUint64(Number(BigInt(member(2).eprocessPhysical) + links), BigInt(member(0).eprocessVirtual) + links, true);
    const started = Date.now();
    const { rows, warnings } = await collectRun(await openWindowsSession(copy), 'windows.psxview');
    assert.ok(Date.now() - started < 60_000);
    const cut = new Set(session.pids.slice(3));
    const want = psxviewRows(expected, false).map((r) => (cut.has(r[2] as number) ? [...r.slice(0, 7), false, r[8]] : r));
    assert.deepEqual(
      values(rows).sort((a, b) => (a[2] as number) - (b[2] as number)),
      want,
    );
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message.startsWith(`session ${session.id} process list`), w.message.includes('loops')]),
      [['SMEAR', true, true]],
    );
  });
});
