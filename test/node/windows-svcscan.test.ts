/**
 * windows.svcscan on generated images of each Windows kernel, against the service database the generator wrote in
 * services.exe (expected.json services): drivers, own- and share-process services with their hosting PIDs and
 * command lines, stopped, disabled and start-pending ones (PID and binary N/A), a running service whose process
 * block is not in memory; the damaged record gives no row but a warning, and the walk goes on past it; a PrevEntry
 * loop and a smeared name cost a warning or a value, not the run. Volatility 3's windows.svcscan, where it can run,
 * reads the same records.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedServiceRow, ExpectedServices } from '../fixtures/windows/expected.ts';
import { serviceFields } from '../fixtures/windows/service-layouts.ts';
import { volatilityOnGeneratedImages, volatilityValues, volatilityYaraSkipReason, type VolatilityOnImage } from '../helpers/windows-volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const COLUMNS = ['Offset', 'Order', 'PID', 'Start', 'State', 'Type', 'Name', 'Display', 'Binary', 'Binary (Registry)', 'Dll'] as const;

const row = (e: ExpectedServiceRow): unknown[] => [
  BigInt(e.offset),
  e.order,
  e.pid,
  e.start,
  e.state,
  e.type,
  e.name,
  e.display,
  e.binary,
  e.binaryRegistry,
  e.dll,
];
const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

async function services(kernel: (typeof WINDOWS_KERNELS)[number]): Promise<{ bytes: Uint8Array; expected: ExpectedServices }> {
  const { image, expected } = await windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
  assert.ok(expected.services, 'the generator knows a record layout for this build');
  return { bytes: image, expected: expected.services };
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.svcscan on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const session = async (bytes?: Uint8Array) => openWindowsSession(bytes ?? (await services(kernel)).bytes, { symbolDirs: [kernel.symbolDir] });
    /** Writes a u64 into services.exe's space of a copy of the image. */
    const smeared = async (edits: readonly (readonly [bigint, bigint])[]): Promise<Uint8Array> => {
      const { bytes } = await services(kernel);
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      const host = (await windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath })).expected.processes.find((p) => p.name === 'services.exe')!;
      const space = k.processLayer(BigInt(host.dtb));
      const copy = bytes.slice();
      for (const [at, value] of edits) {
        const physical = await space.translate(at);
        assert.ok(physical !== null);
        new DataView(copy.buffer).setBigUint64(physical, value, true);
      }
      return copy;
    };

    it('the generator wrote drivers, own- and share-process services, stopped and unreadable ones, and a damaged record', async () => {
      const { rows, damaged } = (await services(kernel)).expected;
      const types = new Set(rows.map((r) => r.type));
      for (const t of ['SERVICE_KERNEL_DRIVER', 'SERVICE_FILE_SYSTEM_DRIVER', 'SERVICE_WIN32_OWN_PROCESS', 'SERVICE_WIN32_SHARE_PROCESS'])
        assert.ok(types.has(t), t);
      assert.ok(
        rows.some((r) => r.state === 'SERVICE_RUNNING' && r.type.includes('PROCESS') && r.pid === null),
        'a running service without a readable process',
      );
      assert.ok(rows.some((r) => r.state !== 'SERVICE_RUNNING' && r.binary === null));
      const shared = rows.filter((r) => r.pid !== null).map((r) => r.pid);
      assert.ok(shared.length > new Set(shared).size, 'a svchost.exe hosts more than one service');
      assert.equal(damaged.length, 1);
      assert.ok(
        rows.some((r) => BigInt(r.offset) < BigInt(damaged[0]!.offset)),
        'a record older than the damaged one',
      );
    });

    it("gives the generator's rows newest first, skipping the damaged record with a warning", async () => {
      const { expected } = await services(kernel);
      const { rows, warnings } = await collectRun(await session(), 'windows.svcscan');
      assert.deepEqual(values(rows), expected.rows.map(row));
      assert.deepEqual(
        warnings.map((w) => [w.code, w.address, w.count]),
        [['SMEAR', expected.damaged[0]!.offset, 1]],
      );
    });

    it("reads Binary (Registry) and Dll from the SYSTEM hive's service keys: N/A for a service whose key is gone", async () => {
      const { rows } = (await services(kernel)).expected;
      assert.ok(
        rows.some((r) => r.dll !== null && r.binaryRegistry !== null),
        'a svchost.exe service with its ServiceDll',
      );
      assert.ok(
        rows.some((r) => r.binaryRegistry === null && r.dll === null && r.state === 'SERVICE_RUNNING' && r.pid !== null),
        'a running service without a key',
      );
      assert.ok(
        rows.some((r) => r.binaryRegistry === null && r.type === 'SERVICE_FILE_SYSTEM_DRIVER'),
        'a key without ImagePath',
      );
    });

    it('without the SYSTEM hive the registry columns are N/A, with one warning', async () => {
      const { expected } = await services(kernel);
      const image = (await windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath })).expected;
      const system = image.registry.hives.find((h) => h.name === '\\REGISTRY\\MACHINE\\SYSTEM')!;
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      // The _CMHIVE's signature (its first field) smeared: the hive list skips it.
      const physical = await k.processLayer(BigInt(image.kernel.dtb)).translate(BigInt(system.offset));
      assert.ok(physical !== null);
      const copy = (await services(kernel)).bytes.slice();
      copy.fill(0x41, physical, physical + 4);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.svcscan');
      assert.deepEqual(
        values(rows),
        expected.rows.map((r) => row({ ...r, binaryRegistry: null, dll: null })),
      );
      assert.ok(warnings.some((w) => w.message.includes('no SYSTEM hive')));
    });

    it('a PrevEntry loop ends the walk with a warning, each record once; a smeared name costs only that value', async () => {
      const { expected } = await services(kernel);
      const fields = serviceFields(kernel.build)!;
      const newest = expected.rows[0]!;
      const oldest = expected.rows[expected.rows.length - 1]!;
      const renamed = expected.rows[2]!;
      const copy = await smeared([
        [BigInt(oldest.offset) + BigInt(fields.prevEntry), BigInt(newest.offset)],
        [BigInt(renamed.offset) + BigInt(fields.serviceName), 0x4141_4141_4140n],
      ]);
      const { rows, warnings } = await collectRun(await session(copy), 'windows.svcscan');
      assert.deepEqual(
        values(rows),
        // Without its name the service's key cannot be looked up either.
        expected.rows.map((r) => row(r === renamed ? { ...r, name: null as unknown as string, binaryRegistry: null, dll: null } : r)),
      );
      assert.ok(warnings.some((w) => w.code === 'SMEAR' && w.message.includes('loops') && w.address === newest.offset));
    });
  });
}

/**
 * What Volatility 3 2.11 prints for the same database: it ends the walk at the damaged record (the older records are
 * not reached), and every row after the first carries the address of the PrevEntry field that led to it (the
 * newer record + 0x10) as its Offset — the pointer's own address, not the record's.
 */
function asVolatility(expected: ExpectedServices, prevEntry: number): unknown[][] {
  const damaged = BigInt(expected.damaged[0]!.offset);
  const reached = expected.rows.filter((r) => BigInt(r.offset) > damaged);
  return reached.map((r, i) => {
    const [, ...rest] = row(r);
    return [i === 0 ? BigInt(r.offset) : BigInt(reached[i - 1]!.offset) + BigInt(prevEntry), ...rest];
  });
}

describe('Volatility 3 reads the same service records from the generated images', { skip: volatilityYaraSkipReason('windows.svcscan') }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  let results: Map<string, VolatilityOnImage>;

  before(async () => {
    results = await volatilityOnGeneratedImages({ size: SIZE, seed: 11 }, ['windows.svcscan']);
  });

  for (const kernel of kernels) {
    it(`${kernel.name}: windows.svcscan's rows are the generator's`, () => {
      const { rows, expected } = results.get(kernel.name)!;
      const got = rows.get('windows.svcscan')!.map((r) => volatilityValues(r, COLUMNS));
      assert.deepEqual(got, asVolatility(expected.services!, serviceFields(kernel.build)!.prevEntry));
    });
  }
});
