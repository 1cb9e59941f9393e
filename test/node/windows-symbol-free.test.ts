/**
 * Windows with no symbol file: for every kernel ISF, hiding it from the analyzer leaves the process plugins' rows
 * unchanged (the table is discovered in the image, and says so); with the build's known offsets withheld, the
 * search finds the ISF's own offsets; the layout facts memscope keeps as data agree with every ISF; plugins that
 * need the real table say so, and get it when it arrives; an image that does not give the System process's list
 * asks for the symbols as before.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { findExitTime } from '../../src/os/windows/symbol-free/exit-time-discovery.ts';
import { discoverProcessOffsets } from '../../src/os/windows/symbol-free/process-discovery.ts';
import { KNOWN_PROCESS_OFFSETS, RELATIONS, type ProcessOffsets } from '../../src/os/windows/symbol-free/process-offsets.ts';
import { STABLE_TYPES } from '../../src/os/windows/symbol-free/stable-layouts.ts';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { VirtualMemory } from '../../src/plugins/api/memory.ts';
import type { SymbolStore } from '../../src/symbols/symbol-store.ts';
import { loadIsf, REPO_SYMBOLS, type Isf } from '../fixtures/windows/isf.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
/** The plugins that declare they run on a discovered table, and must give the same rows as with the ISF. */
const PROCESS_PLUGINS = [
  'windows.pslist',
  'windows.pstree',
  'windows.psscan',
  'windows.cmdline',
  'windows.dlllist',
  'windows.envars',
  'windows.sessions',
];
const noSymbols = (): string => mkdtempSync(join(tmpdir(), 'memscope-no-symbols-'));
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

/** The ISF's offset of a dotted field path (Pcb.DirectoryTableBase). */
function isfOffset(isf: Isf, struct: string, path: string): number {
  return isf.offsetOf(struct, path);
}

/** What process-offsets.ts must say for this ISF. */
function isfProcessOffsets(isf: Isf): ProcessOffsets {
  const e = (path: string) => isfOffset(isf, '_EPROCESS', path);
  return {
    directoryTableBase: e('Pcb.DirectoryTableBase'),
    uniqueProcessId: e('UniqueProcessId'),
    activeProcessLinks: e('ActiveProcessLinks'),
    createTime: e('CreateTime'),
    exitTime: e('ExitTime'),
    inheritedFromUniqueProcessId: e('InheritedFromUniqueProcessId'),
    token: e('Token'),
    peb: e('Peb'),
    session: e('Session'),
    objectTable: e('ObjectTable'),
    wow64Process: e('WoW64Process'),
    imageFileName: e('ImageFileName'),
    seAuditProcessCreationInfo: e('SeAuditProcessCreationInfo'),
    threadListHead: e('ThreadListHead'),
    activeThreads: e('ActiveThreads'),
  };
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`no symbol file: a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });

    it('the layout facts kept as data are the ISF’s: stable structures, the known offsets, the shared distances', async () => {
      const isf = await loadIsf(kernel.isfPath);
      for (const [name, struct] of Object.entries(STABLE_TYPES)) {
        assert.ok(struct.size <= isf.sizeOf(name), `${name} size`);
        for (const [field, { offset }] of Object.entries(struct.fields)) assert.equal(offset, isf.offsetOf(name, field), `${name}.${field}`);
      }
      const offsets = isfProcessOffsets(isf);
      assert.deepEqual(KNOWN_PROCESS_OFFSETS.get(kernel.build), offsets);
      assert.equal(offsets.activeProcessLinks - offsets.uniqueProcessId, RELATIONS.activeProcessLinks);
      assert.equal(offsets.createTime - offsets.uniqueProcessId, RELATIONS.createTime);
      assert.equal(offsets.token! - offsets.uniqueProcessId, RELATIONS.token);
      for (const f of ['session', 'objectTable', 'wow64Process'] as const) assert.equal(offsets[f] - offsets.peb, RELATIONS[f], f);
      for (const f of ['seAuditProcessCreationInfo', 'threadListHead', 'activeThreads'] as const) {
        assert.equal(offsets[f] - offsets.imageFileName, RELATIONS[f], f);
      }
    });

    it('the summary says the symbols were discovered; the process plugins give the rows the ISF gives', async () => {
      const { image: bytes } = await image();
      const bare = await openWindowsSession(bytes, { symbolDirs: [noSymbols()] });
      const full = await openWindowsSession(bytes, { symbolDirs: [kernel.symbolDir] });
      assert.match(bare.summary.symbols!, /^discovered from the image \(no symbol file; the known layout of build \d+ confirmed\)$/);
      assert.equal(bare.summary.osVersion, kernel.osVersion);
      assert.deepEqual(bare.summary.missingSymbols, { kind: 'pdb', pdbName: 'ntkrnlmp.pdb', guid: kernel.guid, age: kernel.age, discovered: true });
      assert.ok(bare.summary.warnings.some((w) => w.startsWith('no symbol file: memscope found the process structures in the image itself')));
      for (const plugin of PROCESS_PLUGINS) {
        const [a, b] = [await collectRun(bare, plugin), await collectRun(full, plugin)];
        assert.ok(b.rows.length > 0, plugin);
        assert.deepEqual(values(a.rows), values(b.rows), plugin);
        assert.deepEqual(a.warnings, b.warnings, plugin);
      }
    });

    it('with the known offsets withheld, the search finds the ISF’s offsets (ExitTime aside: nothing on the list shows it)', async () => {
      const { image: bytes } = await image();
      const k = (await (await openWindowsSession(bytes, { symbolDirs: [kernel.symbolDir] })).kernel('windows')) as WindowsKernel;
      const warnings: string[] = [];
      const found = await discoverProcessOffsets({
        vm: k.vm,
        processSpace: (dtb) => k.processLayer(dtb),
        kernelBase: k.base,
        kernelSize: k.image.pe.sizeOfImage,
        dtb: k.discovery.dtb,
        systemProcess: (await k.vm.readU64(k.symbolAddress('PsInitialSystemProcess')))!,
        build: null,
        warn: (w) => warnings.push(w.message),
      });
      assert.equal(found?.source, 'discovered');
      assert.deepEqual(found.offsets, { ...isfProcessOffsets(await loadIsf(kernel.isfPath)), exitTime: null });
      assert.equal(BigInt(found.activeProcessHeadRva) + k.base, k.symbolAddress('PsActiveProcessHead'));
      assert.deepEqual(warnings, [
        '_EPROCESS.ExitTime is not known for build unknown (no known layout): psscan looks for it in the exited processes it finds; elsewhere exit times show as N/A',
      ]);
    });
  });
}

/** The 19041 ISF with _EPROCESS's fields moved (`move` gives a field's new offset) and the sizes given, as a symbol pack. */
async function relaidPack(move: (offset: number) => number, size: (old: number) => number, kprocessSize?: number): Promise<string> {
  const isf = await loadIsf();
  const json = structuredClone(isf.json);
  const eprocess = json.user_types['_EPROCESS']!;
  for (const [name, f] of Object.entries(eprocess.fields)) if (name !== 'Pcb') f.offset = move(f.offset);
  eprocess.size = size(eprocess.size);
  const kprocess = json.user_types['_KPROCESS']!;
  if (kprocessSize !== undefined) {
    kprocess.fields = Object.fromEntries(Object.entries(kprocess.fields).filter(([, f]) => f.offset < kprocessSize));
    kprocess.size = kprocessSize;
  }
  const dir = mkdtempSync(join(tmpdir(), 'memscope-relaid-'));
  const file = join(dir, 'windows', 'ntkrnlmp.pdb', `${isf.pdb.guid.replace(/-/g, '').toUpperCase()}-${isf.pdb.age}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** The symbol directory (for -s) holding a pack made by relaidPack. */
const packDir = (file: string) => dirname(dirname(dirname(file)));

describe('no symbol file: a layout no table knows', () => {
  /** _EPROCESS grown by 0x40 bytes before UniqueProcessId and 0x10 more before InheritedFromUniqueProcessId. */
  function shiftedPack(): Promise<string> {
    const pid = 0x440;
    const parent = 0x540;
    return relaidPack(
      (o) => o + (o >= pid ? 0x40 : 0) + (o >= parent ? 0x10 : 0),
      (size) => size + 0x50,
    );
  }

  it('the search finds the shifted offsets, psscan ExitTime from the exited processes; the process plugins give the ISF’s rows', async () => {
    const isfPath = await shiftedPack();
    const { image: bytes, expected } = await windowsImage({ size: SIZE, seed: 12, isfPath });
    const bare = await openWindowsSession(bytes, { symbolDirs: [noSymbols()] });
    const full = await openWindowsSession(bytes, { symbolDirs: [packDir(isfPath)] });
    assert.equal(bare.summary.symbols, 'discovered from the image (no symbol file; offsets found by search)');
    assert.ok(
      bare.summary.warnings.includes(
        '_EPROCESS.ExitTime is not known for build 19041 (its known layout did not hold): psscan looks for it in the exited processes it finds; elsewhere exit times show as N/A',
      ),
    );
    assert.ok(expected.processes.some((p) => p.exited));
    for (const plugin of PROCESS_PLUGINS) {
      const [a, b] = [await collectRun(bare, plugin), await collectRun(full, plugin)];
      assert.ok(b.rows.length > 0, plugin);
      assert.deepEqual(values(a.rows), values(b.rows), plugin);
    }
  });
});

describe('no symbol file: the Windows 11 24H2 layout (the 19041 ISF with _EPROCESS laid out as build 26100 has it)', () => {
  /** 24H2's _KPROCESS is 0x1c8 bytes, not 0x438: what follows it moved down by 0x270, and from Vm on by 0x280. */
  const pack = () =>
    relaidPack(
      (o) => (o < 0x660 ? o - 0x270 : o - 0x280),
      (size) => size - 0x280,
      0x1c8,
    );

  it('the known 26100 offsets hold: the summary says so and every process plugin, psscan’s exit times too, gives the ISF’s rows', async () => {
    const isfPath = await pack();
    const { image: bytes } = await windowsImage({ size: SIZE, seed: 13, isfPath, build: 26100 });
    const bare = await openWindowsSession(bytes, { symbolDirs: [noSymbols()] });
    const full = await openWindowsSession(bytes, { symbolDirs: [packDir(isfPath)] });
    assert.equal(bare.summary.symbols, 'discovered from the image (no symbol file; the known layout of build 26100 confirmed)');
    assert.equal(bare.summary.osVersion, 'Windows 11 24H2–25H2 (10.0.26100)');
    assert.ok(!bare.summary.warnings.some((w) => w.includes('ExitTime')));
    const isf = await loadIsf(isfPath);
    assert.deepEqual(KNOWN_PROCESS_OFFSETS.get(26100), isfProcessOffsets(isf));
    for (const plugin of PROCESS_PLUGINS) {
      const [a, b] = [await collectRun(bare, plugin), await collectRun(full, plugin)];
      assert.ok(b.rows.length > 0, plugin);
      assert.deepEqual(values(a.rows), values(b.rows), plugin);
    }
  });
});

describe('no symbol file: ExitTime from carved processes', () => {
  const CREATE = 0x100;
  const FILETIME_2024 = 0x01da_3e6e_0000_0000n;
  /** Processes at 0x1000 apart in a fake kernel space: each a page of zeros with its CreateTime and the values given. */
  function carved(list: { threads: number; values: Record<number, bigint> }[]) {
    const pages = list.map(({ values }) => {
      const page = new DataView(new ArrayBuffer(0x1000));
      page.setBigUint64(CREATE, FILETIME_2024, true);
      for (const [o, v] of Object.entries(values)) page.setBigUint64(Number(o), v, true);
      return new Uint8Array(page.buffer);
    });
    const base = 0xffff_a000_0000_0000n;
    const vm = {
      read: async (address: bigint, length: number) => {
        const page = pages[Number((address - base) / 0x1000n)];
        return page && length <= 0x1000 ? page.slice(0, length) : null;
      },
    } as unknown as VirtualMemory;
    return { vm, processes: list.map((p, i) => ({ address: base + BigInt(i) * 0x1000n, createTimeOffset: CREATE, threads: p.threads })) };
  }
  const exitedAt = (o: number) => ({ threads: 0, values: { [o]: FILETIME_2024 + 10_000_000n } });
  const live = { threads: 5, values: {} };

  it('the one offset where exited processes have a time after their creation and live ones 0', async () => {
    const { vm, processes } = carved([live, live, exitedAt(0x5c0), exitedAt(0x5c0), live]);
    const found = await findExitTime(vm, processes);
    assert.equal(found.offset, 0x5c0);
    assert.ok(found.offset !== null && found.read(processes[2]!) === FILETIME_2024 + 10_000_000n);
  });

  it('no exited process, or two offsets that fit: not found, and why', async () => {
    const none = carved([live, live]);
    assert.deepEqual(await findExitTime(none.vm, none.processes), { offset: null, why: 'the scan found no exited process to tell it from' });
    const two = carved([live, { threads: 0, values: { 0x5c0: FILETIME_2024 + 1n, 0x600: FILETIME_2024 + 2n } }]);
    assert.deepEqual(await findExitTime(two.vm, two.processes), { offset: null, why: '2 offsets fit the 1 exited process the scan found' });
  });
});

describe('no symbol file: a smeared process list', () => {
  it('a broken forward link: the offsets are still found (the list is walked backward from its head too); pslist reads as with the ISF', async () => {
    const { image: bytes, expected } = await windowsImage({ size: SIZE, seed: 11 });
    const k = (await (await openWindowsSession(bytes)).kernel('windows')) as WindowsKernel;
    const victim = expected.processes.filter((p) => p.linked)[5]!;
    const links = await k.vm.translate(BigInt(victim.eprocessVirtual) + BigInt(k.layout.offset('_EPROCESS', 'ActiveProcessLinks')));
    const copy = bytes.slice();
    new DataView(copy.buffer).setBigUint64(links!, 0x4141_4141_4141_4141n, true);
    const s = await openWindowsSession(copy, { symbolDirs: [noSymbols()] });
    assert.match(s.summary.symbols!, /^discovered from the image/);
    // memscope's own walk of the smeared list stops at the break (with a warning), as it does with the ISF.
    const { rows } = await collectRun(s, 'windows.pslist');
    const full = await collectRun(await openWindowsSession(copy), 'windows.pslist');
    assert.deepEqual(values(rows), values(full.rows));
  });
});

describe('no symbol file: what needs the real table', () => {
  it('plugins that need it say so; when the table arrives, the session uses it', async () => {
    const { image: bytes } = await windowsImage({ size: SIZE, seed: 11 });
    const real = (await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false })).symbols;
    let arrived = false;
    const store: SymbolStore = { get: async (key) => (arrived ? real.get(key) : undefined), describe: () => 'a store the test fills later' };
    const s = await openWindowsSession(bytes, { symbols: store });
    const handles = s.plugins().find((p) => p.name === 'windows.handles')!;
    assert.deepEqual(handles.unmet, [
      'needs the symbol table ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1 (memscope found only the process structures in the image)',
    ]);
    assert.deepEqual(s.plugins().find((p) => p.name === 'windows.pslist')!.unmet, []);
    await assert.rejects(collectRun(s, 'windows.handles'), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_MISSING');
    arrived = true;
    assert.ok((await collectRun(s, 'windows.handles')).rows.length > 0);
    assert.match(s.summary.symbols!, /606FF669409B00F7FC8C61A9C1670129-1\.json\.xz$/);
    assert.equal(s.summary.missingSymbols, undefined);
  });

  it('an image whose System process has no readable list asks for the symbols as before', async () => {
    const { image: bytes } = await windowsImage({ size: SIZE, seed: 11 });
    const k = (await (await openWindowsSession(bytes)).kernel('windows')) as WindowsKernel;
    const system = (await k.vm.readU64(k.symbolAddress('PsInitialSystemProcess')))!;
    const links = await k.vm.translate(system + BigInt(k.layout.offset('_EPROCESS', 'ActiveProcessLinks')));
    const copy = bytes.slice();
    // Both links: with only the forward one broken, the list is still walked backward from its head.
    new DataView(copy.buffer).setBigUint64(links!, 0x4141_4141_4141_4141n, true);
    new DataView(copy.buffer).setBigUint64(links! + 8, 0x4141_4141_4141_4141n, true);
    const s = await openWindowsSession(copy, { symbolDirs: [noSymbols()] });
    assert.match(s.summary.symbols!, /^missing: ntkrnlmp\.pdb\/606FF669409B00F7FC8C61A9C1670129-1$/);
    await assert.rejects(collectRun(s, 'windows.pslist'), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_MISSING');
  });
});
