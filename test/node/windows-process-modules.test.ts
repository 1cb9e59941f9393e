/**
 * windows.dlllist and windows.envars on generated images of each Windows kernel: the PEB loader's module lists
 * and the environment block, read in each process's own address space, against expected.json — and hostile
 * variants of both (a loader list that loops back, an absurd EnvironmentSize, unreadable module names).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { WindowsRunContext } from '../../src/os/windows/windows-context.ts';
import type { LoaderList } from '../../src/plugins/api.ts';
import type { RunWarning } from '../../src/plugins/plugin.ts';
import type { ExpectedDll, ExpectedProcess } from '../fixtures/windows/expected.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** PID, Process, Base, Size, Name, Path, LoadTime, LoadCount, File output. */
const dllRow = (p: ExpectedProcess, d: ExpectedDll): unknown[] => [
  p.pid,
  p.name,
  BigInt(d.base),
  BigInt(d.size),
  d.name,
  d.path,
  toVolatilityTime(d.loadTime),
  d.loadCount,
  'Disabled',
];

/** Every load-order module of the pslist-visible processes, in list order. */
const dllRows = (processes: readonly ExpectedProcess[], keep: (d: ExpectedDll) => boolean = () => true): unknown[][] =>
  processes.filter((p) => p.linked).flatMap((p) => (p.dlls ?? []).filter((d) => d.inLoad && keep(d)).map((d) => dllRow(p, d)));

/** PID, Process, Block, Variable, Value. */
const envRows = (processes: readonly ExpectedProcess[]): unknown[][] =>
  processes
    .filter((p) => p.linked)
    .flatMap((p) => (p.environment?.variables ?? []).map(([name, value]) => [p.pid, p.name, BigInt(p.environment!.block), name, value]));

const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

/** The kernel context a plugin run gets, with its warnings collected. */
async function runContext(session: Session): Promise<{ nt: WindowsRunContext; warnings: RunWarning[] }> {
  const warnings: RunWarning[] = [];
  const kernel = await session.kernel('windows');
  const nt = new WindowsRunContext(kernel, {
    warn: (w) => warnings.push(w),
    progress: () => undefined,
    scanner: undefined as never,
    symbols: undefined as never,
  });
  return { nt, warnings };
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.dlllist and windows.envars on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('windows.dlllist lists each linked process’s load-order modules, exactly', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.dlllist');
      assert.deepEqual(values(rows), dllRows(expected.processes));
      assert.deepEqual(warnings, []);
    });

    it('windows.dlllist --pid, --name (with --ignore-case) and --base filter', async () => {
      const { expected } = await image();
      const s = await session();
      const [a, b] = expected.processes.filter((p) => p.linked && p.dlls);
      const pids = (await collectRun(s, 'windows.dlllist', { pid: [a!.pid, b!.pid] })).rows;
      assert.deepEqual(values(pids), dllRows([a!, b!]));

      const kernel32 = (await collectRun(s, 'windows.dlllist', { name: '^kernel32\\.dll$' })).rows;
      assert.deepEqual(kernel32, [], 'the expression is case-sensitive by default');
      const ci = (await collectRun(s, 'windows.dlllist', { name: '^kernel32\\.dll$', 'ignore-case': true })).rows;
      assert.deepEqual(
        values(ci),
        dllRows(expected.processes, (d) => d.name === 'KERNEL32.DLL'),
      );
      const byPath = (await collectRun(s, 'windows.dlllist', { name: 'System32\\\\ntdll' })).rows;
      assert.deepEqual(
        values(byPath),
        dllRows(expected.processes, (d) => d.name === 'ntdll.dll'),
      );

      const target = a!.dlls![2]!;
      const base = (await collectRun(s, 'windows.dlllist', { base: Number(BigInt(target.base)) })).rows;
      assert.deepEqual(values(base), [dllRow(a!, target)]);

      const bad = await collectRun(s, 'windows.dlllist', { name: '(' });
      assert.deepEqual(bad.rows, []);
      assert.deepEqual(
        bad.warnings.map((w) => w.code),
        ['UNSUPPORTED'],
      );
    });

    it('misses the DLL unlinked from the load-order list; the other two lists still hold it', async () => {
      const { expected } = await image();
      const p = expected.processes.find((q) => q.dlls?.some((d) => !d.inLoad))!;
      assert.ok(p?.linked, 'a pslist-visible process has an unlinked DLL');
      const hidden = p.dlls!.find((d) => !d.inLoad)!;
      assert.ok(hidden.inInit && hidden.inMem);
      const s = await session();
      const rows = (await collectRun(s, 'windows.dlllist', { pid: [p.pid] })).rows;
      assert.ok(rows.length > 0 && !rows.some((r) => r.values[2] === BigInt(hidden.base)), 'dlllist does not show it');

      const { nt, warnings } = await runContext(s);
      const process = await findProcess(nt, p.pid);
      const lists: [LoaderList, keyof ExpectedDll][] = [
        ['load', 'inLoad'],
        ['init', 'inInit'],
        ['memory', 'inMem'],
      ];
      for (const [list, flag] of lists) {
        const bases = new Set<string>();
        for await (const m of nt.loadedModules(process, list)) bases.add(`0x${m.base.toString(16)}`);
        assert.deepEqual(bases, new Set(p.dlls!.filter((d) => d[flag]).map((d) => d.base)), list);
      }
      assert.deepEqual(warnings, []);
    });

    it('windows.envars lists every readable environment; the paged-out block is a warning, not a failure', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.envars');
      assert.deepEqual(values(rows), envRows(expected.processes));
      assert.ok(!rows.some((r) => r.values[3] === '' || String(r.values[3]).startsWith('=')), 'hidden =C: entries are skipped');
      const pagedOut = expected.processes.filter((p) => p.linked && p.environment && p.environment.variables === null);
      assert.equal(pagedOut.length, 1);
      assert.deepEqual(
        warnings.map((w) => [w.code, w.message.startsWith(`PID ${pagedOut[0]!.pid} (`)]),
        [['UNREADABLE', true]],
      );
      const one = expected.processes.find((p) => p.linked && p.environment?.variables)!;
      assert.deepEqual(values((await collectRun(await session(), 'windows.envars', { pid: [one.pid] })).rows), envRows([one]));
    });
  });
}

async function findProcess(nt: WindowsRunContext, pid: number) {
  for await (const p of nt.processes()) if (p.pid === pid) return p;
  throw new Error(`no process ${pid}`);
}

describe('windows.dlllist and windows.envars on hostile process memory', () => {
  const OPTIONS = { size: SIZE, seed: 13 };

  /** The image with u64 `value` written at virtual `address` of process `pid`. */
  async function patched(pid: number, edits: (nt: WindowsRunContext) => Promise<[bigint, bigint][]>): Promise<Uint8Array> {
    const { image } = await windowsImage(OPTIONS);
    const { nt } = await runContext(await openWindowsSession(image));
    const space = nt.processSpace(await findProcess(nt, pid));
    const copy = image.slice();
    const dv = new DataView(copy.buffer);
    for (const [address, value] of await edits(nt)) dv.setBigUint64((await space.translate(address))!, value, true);
    return copy;
  }

  it('a loader list that loops back gives its modules up to the loop and one SMEAR warning', async () => {
    const { expected } = await windowsImage(OPTIONS);
    const p = expected.processes.find((q) => q.linked && (q.dlls?.length ?? 0) >= 5)!;
    const dlls = p.dlls!.filter((d) => d.inLoad);
    // The third entry's InLoadOrderLinks.Flink (at offset 0) points back at the first entry.
    const image = await patched(p.pid, async () => [[BigInt(dlls[2]!.entry), BigInt(dlls[0]!.entry)]]);
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.dlllist', { pid: [p.pid] });
    assert.deepEqual(
      values(rows),
      dlls.slice(0, 3).map((d) => dllRow(p, d)),
    );
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.code, 'SMEAR');
    assert.match(warnings[0]!.message, new RegExp(`^PID ${p.pid} \\(.*InLoadOrderModuleList.* loops back`));
  });

  it('an unreadable module name is a null cell, matches no --name, and a missing DdagNode gives no LoadCount', async () => {
    const { expected } = await windowsImage(OPTIONS);
    const p = expected.processes.find((q) => q.linked && q.dlls)!;
    const d = p.dlls![1]!;
    const image = await patched(p.pid, async (nt) => [
      [BigInt(d.entry) + BigInt(nt.fieldOffset('_LDR_DATA_TABLE_ENTRY', 'BaseDllName.Buffer')), 0x7ff0_dead_0000n],
      [BigInt(d.entry) + BigInt(nt.fieldOffset('_LDR_DATA_TABLE_ENTRY', 'DdagNode')), 0n],
    ]);
    const s = await openWindowsSession(image);
    const { rows, warnings } = await collectRun(s, 'windows.dlllist', { pid: [p.pid] });
    assert.deepEqual(rows[1]!.values, [p.pid, p.name, BigInt(d.base), BigInt(d.size), null, d.path, toVolatilityTime(d.loadTime), null, 'Disabled']);
    assert.deepEqual(warnings, []);
    const named = (await collectRun(s, 'windows.dlllist', { pid: [p.pid], name: '.' })).rows;
    assert.equal(named.length, rows.length - 1);
  });

  it('an absurd EnvironmentSize is capped with a LIMIT warning; the block still reads to its end', async () => {
    const { expected } = await windowsImage(OPTIONS);
    const p = expected.processes.find((q) => q.linked && q.environment?.variables)!;
    const image = await patched(p.pid, async (nt) => {
      const process = await findProcess(nt, p.pid);
      const space = nt.processSpace(process);
      const peb = process.view.u64('Peb');
      const params = (await space.readU64(peb + BigInt(nt.fieldOffset('_PEB', 'ProcessParameters'))))!;
      return [[params + BigInt(nt.fieldOffset('_RTL_USER_PROCESS_PARAMETERS', 'EnvironmentSize')), 0x7fff_ffff_ffff_ffffn]];
    });
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.envars', { pid: [p.pid] });
    assert.deepEqual(values(rows), envRows([p]));
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['LIMIT'],
    );
  });
});
