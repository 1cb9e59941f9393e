/**
 * windows.modules, windows.modscan, windows.driverscan and windows.unloadedmodules on generated images of each
 * Windows kernel, against what the generator wrote (expected.json kernelModules): the module list in load order
 * (ntoskrnl.exe first), the driver unlinked from it that only the pool scan finds, the driver objects, the unloaded
 * drivers; damaged allocations give no row but a counted warning; a looping or broken module list and a smeared
 * unloaded-driver count cost rows, with warnings, never a hang. Volatility 3, where it can run, reads the same rows.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedDriver, ExpectedKernelModule, ExpectedUnloadedModule, ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { volatilitySkipReason } from '../helpers/volatility.ts';
import { ADDRESS_BITS, volatilityOnGeneratedImages, type VolatilityOnImage } from '../helpers/windows-volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

const moduleRow = (m: ExpectedKernelModule): unknown[] => [BigInt(m.offset), BigInt(m.base), BigInt(m.size), m.name, m.path, 'Disabled'];
const driverRow = (d: ExpectedDriver): unknown[] => [BigInt(d.offset), BigInt(d.start), BigInt(d.size), d.serviceKey, d.driverName, d.name];
const unloadedRow = (u: ExpectedUnloadedModule): unknown[] => [u.name, BigInt(u.startAddress), BigInt(u.endAddress), toVolatilityTime(u.time)];
/** Scan order is physical: compare by offset. */
const byOffset = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1));
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

/** Writes an 8-byte value at a kernel virtual address of a copy of the image. */
async function patched(image: Uint8Array, kernel: WindowsKernel, writes: readonly [bigint, bigint][]): Promise<Uint8Array> {
  const copy = image.slice();
  for (const [va, value] of writes) {
    const physical = await kernel.vm.translate(va);
    assert.ok(physical !== null);
    new DataView(copy.buffer).setBigUint64(physical, value, true);
  }
  return copy;
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`kernel modules and drivers on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const open = (bytes: Uint8Array) => openWindowsSession(bytes, { symbolDirs: [kernel.symbolDir] });
    const expectedOf = async (): Promise<ExpectedWindowsImage['kernelModules']> => (await image()).expected.kernelModules;
    const linked = async () => (await expectedOf()).modules.filter((m) => m.linked);

    it('the generator wrote ntoskrnl.exe first, an unlinked driver, driver objects, unloaded drivers and damaged blocks', async () => {
      const { expected } = await image();
      const { modules, drivers, unloaded, damaged } = expected.kernelModules;
      assert.equal(modules[0]!.name, 'ntoskrnl.exe');
      assert.equal(modules[0]!.base, expected.kernel.base);
      assert.deepEqual(
        modules.filter((m) => !m.linked).map((m) => m.name),
        ['kbdhook.sys'],
      );
      assert.ok(drivers.some((d) => d.name === '\\Driver\\kbdhook'));
      assert.ok(unloaded.length > 0);
      assert.deepEqual(damaged.map((d) => d.tag).sort(), ['Driv', 'MmLd']);
    });

    it("windows.modules walks PsLoadedModuleList: the generator's linked modules in load order", async () => {
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.modules');
      assert.deepEqual(values(rows), (await linked()).map(moduleRow));
      assert.deepEqual(warnings, []);
    });

    it('windows.modules filters by --name (a substring) and --base', async () => {
      const session = await open((await image()).image);
      const tcpip = (await linked()).find((m) => m.name === 'tcpip.sys')!;
      assert.deepEqual(values((await collectRun(session, 'windows.modules', { name: 'tcpip' })).rows), [moduleRow(tcpip)]);
      assert.deepEqual(values((await collectRun(session, 'windows.modules', { base: Number(BigInt(tcpip.base) & ADDRESS_BITS) })).rows), [
        moduleRow(tcpip),
      ]);
      assert.deepEqual(values((await collectRun(session, 'windows.modules', { base: 0x1000, name: 'tcpip' })).rows), []);
    });

    it("windows.modscan finds every 'MmLd' entry, the unlinked driver too, and skips the damaged block with one warning", async () => {
      const { modules, damaged } = await expectedOf();
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.modscan');
      assert.deepEqual(byOffset(values(rows)), byOffset(modules.map(moduleRow)));
      const hidden = modules.find((m) => !m.linked)!;
      assert.ok(rows.some((r) => r.values[0] === BigInt(hidden.offset)));
      const bad = new Set(damaged.map((d) => BigInt(d.offset)));
      assert.ok(!rows.some((r) => bad.has(r.values[0] as bigint)));
      assert.deepEqual(
        warnings.map((w) => [w.code, w.message.slice(0, 6), w.count]),
        [['SMEAR', "'MmLd'", 1]],
      );
    });

    it("windows.driverscan gives the generator's driver objects, not the block whose header says Device", async () => {
      const { drivers } = await expectedOf();
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.driverscan');
      assert.deepEqual(byOffset(values(rows)), byOffset(drivers.map(driverRow)));
      assert.deepEqual(warnings, []);
    });

    it("windows.unloadedmodules lists MmUnloadedDrivers' entries in order", async () => {
      const { unloaded } = await expectedOf();
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.unloadedmodules');
      assert.deepEqual(values(rows), unloaded.map(unloadedRow));
      assert.deepEqual(warnings, []);
    });

    it('a module list looping back, or broken by an unmapped link, stops with a warning and keeps the rows before', async () => {
      const { image: bytes } = await image();
      const k = (await (await open(bytes)).kernel('windows')) as WindowsKernel;
      const list = await linked();
      const loop = await patched(bytes, k, [[BigInt(list[3]!.offset), BigInt(list[1]!.offset)]]);
      const looped = await collectRun(await open(loop), 'windows.modules');
      assert.deepEqual(values(looped.rows), list.slice(0, 4).map(moduleRow));
      assert.deepEqual(
        looped.warnings.map((w) => [w.code, /loops back/.test(w.message)]),
        [['SMEAR', true]],
      );
      const broken = await patched(bytes, k, [[BigInt(list[2]!.offset), 0xffff_f6fb_7dbe_d000n]]);
      const cut = await collectRun(await open(broken), 'windows.modules');
      assert.deepEqual(values(cut.rows), list.slice(0, 3).map(moduleRow));
      assert.deepEqual(cut.warnings.map((w) => w.code).sort(), ['UNREADABLE', 'UNREADABLE']);
    });

    it("an 'MmLd' entry whose DllBase is no kernel address is skipped by windows.modscan, counted in its warning", async () => {
      const { image: bytes } = await image();
      const { modules } = await expectedOf();
      const k = (await (await open(bytes)).kernel('windows')) as WindowsKernel;
      const hidden = modules.find((m) => !m.linked)!;
      const dllBase = BigInt(hidden.offset) + BigInt(k.layout.offset('_KLDR_DATA_TABLE_ENTRY', 'DllBase'));
      const { rows, warnings } = await collectRun(await open(await patched(bytes, k, [[dllBase, 0x4141n]])), 'windows.modscan');
      assert.deepEqual(byOffset(values(rows)), byOffset(modules.filter((m) => m !== hidden).map(moduleRow)));
      assert.deepEqual(
        warnings.map((w) => [w.code, w.message.slice(0, 6), w.count]),
        [['SMEAR', "'MmLd'", 2]],
      );
    });

    it('a smeared unloaded-driver count is capped at the 50 slots; an unreadable array gives no rows', async () => {
      const { image: bytes } = await image();
      const { unloaded } = await expectedOf();
      const k = (await (await open(bytes)).kernel('windows')) as WindowsKernel;
      const count = k.symbolAddress('MmLastUnloadedDriver');
      const smeared = await collectRun(await open(await patched(bytes, k, [[count, 0xffff_ffffn]])), 'windows.unloadedmodules');
      assert.equal(smeared.rows.length, 50);
      assert.deepEqual(values(smeared.rows).slice(0, unloaded.length), unloaded.map(unloadedRow));
      assert.deepEqual(
        smeared.warnings.map((w) => w.code),
        ['SMEAR'],
      );
      const gone = await patched(bytes, k, [[k.symbolAddress('MmUnloadedDrivers'), 0xffff_f6fb_7dbe_d000n]]);
      const none = await collectRun(await open(gone), 'windows.unloadedmodules');
      assert.deepEqual(none.rows, []);
      assert.deepEqual(
        none.warnings.map((w) => w.code),
        ['UNREADABLE'],
      );
    });
  });
}

describe('Volatility 3 reads the same modules, drivers and unloaded modules from the generated images', { skip: volatilitySkipReason() }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  const PLUGINS = ['windows.modules', 'windows.modscan', 'windows.driverscan', 'windows.unloadedmodules'] as const;
  let runs: Map<string, VolatilityOnImage>;

  before(async () => {
    runs = await volatilityOnGeneratedImages({ size: SIZE, seed: 11 }, PLUGINS);
  });

  /** Volatility's rows in `columns`, numbers as bigint, and the generator's expected kernel modules. */
  const run = (plugin: string, kernel: string, columns: readonly string[]) => {
    const { rows, expected } = runs.get(kernel)!;
    return {
      got: rows.get(plugin)!.map((r) => columns.map((c) => (typeof r[c] === 'number' ? BigInt(r[c]) : r[c]))),
      expected: expected.kernelModules,
    };
  };
  const mask = (v: unknown): bigint => (v as bigint) & ADDRESS_BITS;
  const MODULE_COLUMNS = ['Offset', 'Base', 'Size', 'Name', 'Path', 'File output'];
  const maskedModule = (m: ExpectedKernelModule): unknown[] => {
    const [offset, base, ...rest] = moduleRow(m);
    return [mask(offset), mask(base), ...rest];
  };

  for (const kernel of kernels) {
    it(`${kernel.name}: windows.modules' rows are the generator's linked modules`, () => {
      const { got, expected } = run('windows.modules', kernel.name, MODULE_COLUMNS);
      assert.deepEqual(got, expected.modules.filter((m) => m.linked).map(maskedModule));
    });

    it(`${kernel.name}: windows.modscan's rows are all the generator's modules`, () => {
      const { got, expected } = run('windows.modscan', kernel.name, MODULE_COLUMNS);
      assert.deepEqual(byOffset(got), byOffset(expected.modules.map(maskedModule)));
    });

    it(`${kernel.name}: windows.driverscan's rows are the generator's`, () => {
      const { got, expected } = run('windows.driverscan', kernel.name, ['Offset', 'Start', 'Size', 'Service Key', 'Driver Name', 'Name']);
      const want = expected.drivers.map(driverRow).map(([offset, start, ...rest]) => [mask(offset), mask(start), ...rest]);
      const offsets = new Set(want.map(([o]) => o));
      assert.deepEqual(byOffset(got.filter(([o]) => offsets.has(o))), byOffset(want));
      // Volatility tries every header position after a Driv pool header: where zeroed bytes inside a real driver's
      // allocation decode as a Driver header, it lists an unnamed phantom a few bytes past that driver.
      for (const [offset, , size, , , name] of got.filter(([o]) => !offsets.has(o))) {
        assert.equal(name, null, `unexpected named row at 0x${(offset as bigint).toString(16)}`);
        assert.equal(size, 0n);
        assert.ok(
          want.some(([o]) => (offset as bigint) > (o as bigint) && (offset as bigint) - (o as bigint) < 0x100n),
          `phantom at 0x${(offset as bigint).toString(16)} inside no driver`,
        );
      }
    });

    it(`${kernel.name}: windows.unloadedmodules' rows are the generator's`, () => {
      const { got, expected } = run('windows.unloadedmodules', kernel.name, ['Name', 'StartAddress', 'EndAddress', 'Time']);
      assert.deepEqual(got, expected.unloaded.map(unloadedRow));
    });
  }
});
