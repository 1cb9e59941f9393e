/**
 * windows.handles on generated images of each Windows kernel: every used entry of every listed process's handle
 * table (level 0, and level 1 for System and explorer.exe) against expected.json, --pid and --type; every row of an
 * image whose explorer.exe holds 15,000 more handles (the generator's bulkHandles); and hostile
 * tables (a level-2 table built from the image's own pages, TableCode level 3 or into unmapped memory, a page of
 * pointers pointing back at itself or many times at one page): partial rows and a warning, never a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { WindowsRunContext } from '../../src/os/windows/windows-context.ts';
import type { ExpectedHandle, ExpectedProcess, ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** PID, Process, Offset, HandleValue, Type, GrantedAccess, Name. */
const handleRow = (p: ExpectedProcess, h: ExpectedHandle): unknown[] => [
  p.pid,
  p.name,
  BigInt(h.object),
  BigInt(h.value),
  h.type,
  BigInt(h.access),
  h.name,
];
const handleRows = (processes: readonly ExpectedProcess[], keep: (h: ExpectedHandle) => boolean = () => true): unknown[][] =>
  processes.filter((p) => p.linked).flatMap((p) => (p.handleEntries ?? []).filter(keep).map((h) => handleRow(p, h)));
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);
const byName = (expected: ExpectedWindowsImage, name: string): ExpectedProcess => expected.processes.find((p) => p.name === name && p.linked)!;

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.handles on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator gave System and explorer.exe level-1 tables and every kind of object', async () => {
      const { expected } = await image();
      for (const name of ['System', 'explorer.exe']) {
        const entries = byName(expected, name).handleEntries!;
        assert.ok(entries.length > 255 && entries.some((h) => h.value > 0x400), `${name}: ${entries.length} handles`);
      }
      const all = expected.processes.flatMap((p) => p.handleEntries ?? []);
      for (const type of ['File', 'Key', 'Mutant', 'Event', 'Section', 'Process', 'Token', 'Thread'])
        assert.ok(
          all.some((h) => h.type === type),
          type,
        );
      assert.ok(all.some((h) => h.name.startsWith('MACHINE\\SOFTWARE\\MICROSOFT\\')));
      assert.ok(
        expected.processes.find((p) => p.name === 'svch0st.exe')!.handleEntries!.some((h) => h.type === 'Mutant' && h.name === 'DC_MUTEX-F54S21D'),
      );
    });

    it('lists every handle of every listed process, exactly, without warnings', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.handles');
      assert.deepEqual(values(rows), handleRows(expected.processes));
      assert.deepEqual(warnings, []);
    });

    it('--pid and --type filter the rows', async () => {
      const { expected } = await image();
      const s = await session();
      const system = byName(expected, 'System');
      const cmd = byName(expected, 'cmd.exe');
      const picked = await collectRun(s, 'windows.handles', { pid: [system.pid, cmd.pid] });
      assert.deepEqual(values(picked.rows), handleRows([system, cmd]));
      const typed = await collectRun(s, 'windows.handles', { type: ['Key', 'mutant'] });
      assert.deepEqual(
        values(typed.rows),
        handleRows(expected.processes, (h) => h.type === 'Key' || h.type === 'Mutant'),
      );
    });
  });
}

// The browser test of large results (e2e-large-result) takes 120,000; here fewer: inside node:test (Node 20) every
// promise passes through the runner's async hook, and the run takes several times as long as outside it.
describe('windows.handles on a generated image whose explorer.exe holds 15,000 more handles', () => {
  const OPTIONS = { size: 32 * 1024 * 1024, seed: 11, bulkHandles: 15_000 };

  it('the generator added them to explorer.exe’s level-1 table, in consecutive entries, on a few shared objects', async () => {
    const { expected } = await windowsImage(OPTIONS);
    const entries = byName(expected, 'explorer.exe').handleEntries!;
    const bulk = entries.slice(-OPTIONS.bulkHandles);
    assert.equal(expected.generator.bulkHandles, OPTIONS.bulkHandles);
    // Handle values step by 4, but over each page's reserved entry 0 (a multiple of 0x400).
    assert.ok(bulk.every((h, i) => i === 0 || h.value - bulk[i - 1]!.value === (h.value % 0x400 === 4 ? 8 : 4)));
    assert.ok(new Set(bulk.map((h) => h.object)).size <= 20);
    assert.ok(entries.at(-1)!.value > 0x400 * Math.floor(OPTIONS.bulkHandles / 255), `last handle ${entries.at(-1)!.value}`);
  });

  it('lists every handle of every listed process, exactly, without warnings', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const { rows, warnings } = await collectRun(await openWindowsSession(image), 'windows.handles');
    assert.ok(rows.length > OPTIONS.bulkHandles, `${rows.length} rows`);
    assert.deepEqual(values(rows), handleRows(expected.processes));
    assert.deepEqual(warnings, []);
  });
});

async function runContext(session: Session): Promise<WindowsRunContext> {
  const kernel = await session.kernel('windows');
  return new WindowsRunContext(kernel, {
    warn: () => undefined,
    progress: () => undefined,
    scanner: undefined as never,
    symbols: undefined as never,
  });
}

describe('windows.handles on hostile handle tables', () => {
  const OPTIONS = { size: SIZE, seed: 13 };

  /** explorer.exe's table (TableCode's address and value, its top page) and a patcher of u64s by kernel address. */
  async function setup() {
    const { image, expected } = await windowsImage(OPTIONS);
    const nt = await runContext(await openWindowsSession(image));
    const explorer = byName(expected, 'explorer.exe');
    const small = expected.processes.find((p) => p.linked && p.handleEntries && p.handleEntries.length < 200 && p.pid !== explorer.pid)!;
    const find = async (pid: number) => {
      for await (const p of nt.processes()) if (p.pid === pid) return p;
      throw new Error(`no process ${pid}`);
    };
    const tableCodeAt = async (pid: number) => (await find(pid)).view.u64('ObjectTable') + BigInt(nt.fieldOffset('_HANDLE_TABLE', 'TableCode'));
    const at = await tableCodeAt(explorer.pid);
    const tableCode = (await nt.vm.readU64(at))!;
    const smallPage = (await nt.vm.readU64(await tableCodeAt(small.pid)))!;
    const copy = image.slice();
    const dv = new DataView(copy.buffer);
    const poke = async (address: bigint, value: bigint) => dv.setBigUint64((await nt.vm.translate(address))!, value, true);
    const run = async () => collectRun(await openWindowsSession(copy), 'windows.handles', { pid: [explorer.pid] });
    return { explorer, at, tableCode, top: tableCode & ~3n, smallPage, poke, run, read: (address: bigint) => nt.vm.readU64(address) };
  }

  it('a level-2 table above explorer.exe’s level-1 table gives the same handles', async () => {
    const t = await setup();
    assert.equal(t.tableCode & 3n, 1n);
    for (let i = 0; i < 512; i++) await t.poke(t.smallPage + BigInt(8 * i), i === 0 ? t.top : 0n);
    await t.poke(t.at, t.smallPage | 2n);
    const { rows, warnings } = await t.run();
    assert.deepEqual(values(rows), handleRows([t.explorer]));
    assert.deepEqual(warnings, []);
  });

  it('TableCode claiming level 3, or pointing into unmapped memory: no rows and one warning', async () => {
    const t = await setup();
    await t.poke(t.at, t.top | 3n);
    let { rows, warnings } = await t.run();
    assert.deepEqual(rows, []);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message.startsWith(`PID ${t.explorer.pid} (`), w.message.includes('level 3')]),
      [['SMEAR', true, true]],
    );
    await t.poke(t.at, 0xffff_f6f0_dead_0000n | 1n);
    ({ rows, warnings } = await t.run());
    assert.deepEqual(rows, []);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['UNREADABLE'],
    );
  });

  it('a page of pointers pointing back at itself, or 512 times at one page: that page’s handles once and a SMEAR warning', async () => {
    const t = await setup();
    const firstPage = handleRows([t.explorer], (h) => h.value < 0x400);
    await t.poke(t.top + 8n, t.top);
    let { rows, warnings } = await t.run();
    assert.deepEqual(values(rows), firstPage);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['SMEAR'],
    );
    const started = Date.now();
    // Every pointer of the top page names the first page of entries.
    const t2 = await setup();
    const first = (await t2.read(t2.top))!;
    for (let i = 0; i < 512; i++) await t2.poke(t2.top + BigInt(8 * i), first);
    ({ rows, warnings } = await t2.run());
    assert.deepEqual(values(rows), firstPage);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.message.includes('511')]),
      [['SMEAR', true]],
    );
    assert.ok(Date.now() - started < 30_000);
  });
});
