import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byOffset, byVirtualAddress, processRow } from '../helpers/windows-process-rows.ts';
import { collect, collectRun, hexBig, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const OPTIONS = { size: 32 * 1024 * 1024, seed: 7 };

describe('Windows discovery and process plugins on a generated Windows 10 19041 image', () => {
  it('finds DTB, kernel base and PDB identity with no configuration', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const s = session.summary;
    assert.equal(s.os, 'windows');
    assert.equal(s.dtb, expected.kernel.dtb);
    assert.equal(BigInt(s.kernelBase!), hexBig(expected.kernel.base));
    assert.equal(s.symbols?.includes(`${expected.kernel.pdb.guid}-${expected.kernel.pdb.age}`), true);
    assert.equal(s.osVersion, `Windows 10 2004–22H2 (10.0.${expected.kernel.version.build})`);
  });

  it('windows.pslist lists exactly the linked processes, in list order, with Volatility columns', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const { rows, warnings } = await collectRun(session, 'windows.pslist');
    const linked = expected.processes.filter((p) => p.linked);
    assert.deepEqual(
      rows.map((r) => r.values),
      linked.map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
    assert.deepEqual(warnings, []);
  });

  it('windows.pslist --physical reports physical offsets and --pid filters', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const target = expected.processes.find((p) => p.linked && p.name === 'lsass.exe')!;
    const rows = await collect(session, 'windows.pslist', { physical: true, pid: [target.pid] });
    assert.deepEqual(
      rows.map((r) => r.values),
      [processRow(target, hexBig(target.eprocessPhysical))],
    );
  });

  it('windows.psscan finds every process — hidden and exited ones too — and none of the decoys', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    assert.ok(expected.processes.some((p) => p.hidden) && expected.processes.some((p) => p.exited));
    const session = await openWindowsSession(image);
    const rows = (await collect(session, 'windows.psscan')).sort(byOffset);
    assert.deepEqual(
      rows.map((r) => r.values),
      byVirtualAddress(expected.processes).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
    const names = new Set(rows.map((r) => r.values[2]));
    for (const d of expected.decoys) if (d.name) assert.ok(!names.has(d.name), `decoy ${d.kind} (${d.name}) reported`);
  });

  it('windows.pstree nests children under parents and reads command line and image path from the PEB', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const rows = await collect(session, 'windows.pstree');
    const linked = expected.processes.filter((p) => p.linked);
    assert.equal(rows.length, linked.length);
    const stack: number[] = [];
    for (const row of rows) {
      const pid = row.values[0] as number;
      const p = linked.find((x) => x.pid === pid)!;
      stack.length = row.depth;
      const parentInList = linked.some((x) => x.pid === p.ppid && x.pid !== p.pid);
      if (row.depth > 0) assert.equal(stack[row.depth - 1], p.ppid, `pid ${pid} nested under its parent`);
      else assert.equal(parentInList, false, `pid ${pid} is a root only when its parent is not listed`);
      stack.push(pid);
      assert.equal(row.values[11], p.commandLine, `Cmd of ${pid}`);
      assert.equal(row.values[12], p.imagePath, `Path of ${pid}`);
    }
  });

  it('windows.cmdline gives each listed process its command line, or says why there is none', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const rows = await collect(session, 'windows.cmdline');
    const linked = expected.processes.filter((p) => p.linked);
    assert.deepEqual(
      rows.map((r) => r.values.slice(0, 2)),
      linked.map((p) => [p.pid, p.name]),
    );
    assert.ok(linked.some((p) => p.commandLine === null) && linked.some((p) => p.commandLine !== null));
    rows.forEach((r, i) => {
      const want = linked[i]!.commandLine;
      if (want !== null) assert.equal(r.values[2], want, `Args of ${linked[i]!.pid}`);
      else assert.match(String(r.values[2]), /^(No PEB|Required memory)/, `reason for ${linked[i]!.pid}`);
    });
  });

  it('windows.info reports the kernel, build and clock the generator wrote', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const info = new Map((await collect(session, 'windows.info')).map((r) => [r.values[0], r.values[1]]));
    assert.equal(BigInt(info.get('Kernel Base') as string), hexBig(expected.kernel.base));
    assert.equal(info.get('DTB'), expected.kernel.dtb);
    assert.equal(info.get('KeNumberProcessors'), String(expected.kernel.keNumberProcessors));
    assert.equal(info.get('NtBuildLab'), expected.kernel.ntBuildLab);
    assert.equal(info.get('NtMajorVersion'), String(expected.kernel.version.major));
    assert.equal(info.get('NtBuildNumber'), String(expected.kernel.version.build));
    assert.equal(info.get('SystemTime'), toVolatilityTime(expected.kernel.systemTime)!.replace('T', ' '));
    assert.equal(info.get('KdVersionBlock'), expected.kernel.kdVersionBlock);
  });

  it('falls back to the self-referencing PML4 scan when the image has no low stub', async () => {
    const { image, expected } = await windowsImage({ ...OPTIONS, lowStub: false });
    assert.equal(expected.lowStub, null);
    const session = await openWindowsSession(image);
    assert.equal(session.summary.dtb, expected.kernel.dtb);
    const rows = await collect(session, 'windows.pslist');
    assert.equal(rows.length, expected.processes.filter((p) => p.linked).length);
  });
});
