/**
 * windows.registry.hivelist, hivescan and printkey on generated images of each Windows kernel, against what the
 * generator wrote (expected.json registry): the hives in CmpHiveListHead order, the CM10 big page pool allocations,
 * keys and values (every value type, data in the vk, a big-data value, a volatile key) with printkey's rows derived
 * from the generator's key tree; the key in a paged-out bin costs its rows and gives one warning; looping subkey
 * lists, key cycles and a looping hive list end with warnings, never a hang. Volatility 3 reads the same rows.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { HiveKeys } from '../../src/os/windows/registry/hive-keys.ts';
import { readHive } from '../../src/os/windows/registry/hive-list.ts';
import { HiveSpace } from '../../src/os/windows/registry/hive-space.ts';
import { binSpace } from '../../src/os/windows/registry/registry-reader.ts';
import { WindowsRunContext } from '../../src/os/windows/windows-context.ts';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { CountedWarning, PluginRow } from '../../src/plugins/plugin.ts';
import type { ExpectedRegistry, ExpectedRegistryKey } from '../fixtures/windows/expected.ts';
import { volatilitySkipReason } from '../helpers/volatility.ts';
import { ADDRESS_BITS, volatilityOnGeneratedImages, type VolatilityOnImage } from '../helpers/windows-volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const RUN_KEY = 'Microsoft\\Windows\\CurrentVersion\\Run';
const USER_KEY = 'Software\\Microsoft\\Windows\\CurrentVersion';

type Hive = ExpectedRegistry['hives'][number];

/** printkey's rows (depth first) as the generator's key tree gives them, for `key` (a path below each root). */
function printkeyRows(hive: Hive, key: string | undefined, recurse: boolean): unknown[][] {
  const offset = BigInt(hive.offset);
  const hiveName = hive.name || '[NONAME]';
  const byPath = new Map(hive.keys.map((k) => [k.path.join('\\').toLowerCase(), k]));
  const start = byPath.get(key === undefined ? '' : key.toLowerCase());
  if (!start || !start.resident) return [[0, null, offset, 'Key', `${hiveName}\\${key ?? ''}`, null, null, null]];
  const rows: unknown[][] = [];
  const walk = (k: ExpectedRegistryKey, keyPath: string, depth: number): void => {
    for (const name of k.subkeys) {
      const sub = byPath.get([...k.path, name].join('\\').toLowerCase())!;
      if (!sub.resident) continue;
      rows.push([depth, toVolatilityTime(sub.lastWrite), offset, 'Key', keyPath, name, null, sub.volatile]);
      if (recurse) walk(sub, `${keyPath}\\${name}`, depth + 1);
    }
    for (const v of k.values) rows.push([depth, toVolatilityTime(k.lastWrite), offset, v.type, keyPath, v.name || '(Default)', v.data, k.volatile]);
  };
  walk(start, [hiveName, ...start.path].join('\\'), 0);
  return rows;
}

/** Where `key` stops in the generator's hive: the deepest resident key on its path and the next name; null when it is all there. */
function closestKey(hive: Hive, key: string): { path: string; missing: string } | null {
  const resident = new Set(hive.keys.filter((k) => k.resident).map((k) => k.path.join('\\').toLowerCase()));
  const parts = key.split('\\');
  let depth = 0;
  while (
    depth < parts.length &&
    resident.has(
      parts
        .slice(0, depth + 1)
        .join('\\')
        .toLowerCase(),
    )
  )
    depth++;
  if (depth === parts.length) return null;
  return { path: [hive.name || '[NONAME]', ...parts.slice(0, depth)].join('\\'), missing: parts[depth]! };
}

/** Each warning's code and whether it is the one about SOFTWARE's paged-out Uninstall key. */
const pagedOut = (warnings: readonly CountedWarning[]): unknown[][] =>
  warnings.map((w) => [w.code, /key CurrentVersion \(cell 0x[0-9a-f]+\): subkey cell 0x[0-9a-f]+ is not in memory/.test(w.message)]);

/** userassist's rows as the generator's NTUSER.DAT gives them: each Count key, then its entries decoded. */
function userAssistRows(hive: Hive): unknown[][] {
  const base = hive.name.split('\\').at(-1)!;
  return hive.keys
    .filter((k) => k.path.at(-1) === 'Count' && k.path.includes('UserAssist'))
    .flatMap((k) => {
      const head = [BigInt(hive.offset), hive.name, [base, ...k.path].join('\\'), toVolatilityTime(k.lastWrite)];
      const entries = k.values.map((v) => {
        const bytes = Buffer.from(v.data.replace(/ /g, ''), 'hex');
        const ms = bytes.readUInt32LE(12);
        const micros = (ms + 500) * 1000;
        const seconds = Math.floor(micros / 1e6);
        const clock = `${Math.floor(seconds / 3600)}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
        const focused = micros % 1e6 ? `${clock}.${String(micros % 1e6).padStart(6, '0')}` : clock;
        const lastRun = new Date(Number(bytes.readBigUInt64LE(60) / 10_000n - 11_644_473_600_000n)).toISOString().replace(/\.\d+Z$/, '+00:00');
        return [1, ...head, 'Value', v.userAssist, null, bytes.readUInt32LE(4), bytes.readUInt32LE(8), focused, lastRun, v.data];
      });
      return [[0, ...head, 'Key', null, null, null, null, null, null, null], ...entries];
    });
}

const flat = (rows: readonly PluginRow[]): unknown[][] => rows.map((r) => [r.depth, ...r.values]);

for (const kernel of WINDOWS_KERNELS) {
  describe(`the registry on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 5, isfPath: kernel.isfPath });
    const open = (bytes: Uint8Array) => openWindowsSession(bytes, { symbolDirs: [kernel.symbolDir] });
    const registry = async (): Promise<ExpectedRegistry> => (await image()).expected.registry;

    it('the generator wrote the master hive, SYSTEM, SOFTWARE and NTUSER.DAT with a volatile, a non-resident and a big-data key', async () => {
      const { hives } = await registry();
      assert.deepEqual(
        hives.map((h) => h.name),
        ['', '\\REGISTRY\\MACHINE\\SYSTEM', '\\SystemRoot\\System32\\Config\\SOFTWARE', '\\??\\C:\\Users\\alice\\ntuser.dat'],
      );
      const keys = hives.flatMap((h) => h.keys);
      assert.ok(keys.some((k) => k.volatile && k.values.length > 0));
      assert.deepEqual(
        keys.filter((k) => !k.resident).map((k) => k.path.at(-1)),
        ['Uninstall', '7-Zip'],
      );
      assert.ok(keys.some((k) => k.values.some((v) => v.type === 'REG_BINARY' && v.data.length > 3 * 16344)));
    });

    it('windows.registry.hivelist walks CmpHiveListHead: the hives in list order', async () => {
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.registry.hivelist');
      assert.deepEqual(
        flat(rows),
        (await registry()).hives.map((h) => [0, BigInt(h.offset), h.name, 'Disabled']),
      );
      assert.deepEqual(warnings, []);
    });

    it('windows.registry.hivelist --filter keeps the hives whose name holds the text (any case)', async () => {
      const { rows } = await collectRun(await open((await image()).image), 'windows.registry.hivelist', { filter: 'machine\\SYS' });
      assert.deepEqual(
        rows.map((r) => r.values[1]),
        ['\\REGISTRY\\MACHINE\\SYSTEM'],
      );
    });

    it("windows.registry.hivescan finds every hive's CM10 big page pool allocation", async () => {
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.registry.hivescan');
      const sorted = (v: bigint[]): bigint[] => [...v].sort((a, b) => (a < b ? -1 : 1));
      assert.deepEqual(sorted(rows.map((r) => r.values[0] as bigint)), sorted((await registry()).hives.map((h) => BigInt(h.offset))));
      assert.deepEqual(warnings, []);
    });

    it("windows.registry.printkey --key Run: the Run key's values in SOFTWARE, a not-found row for each other hive", async () => {
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.registry.printkey', { key: RUN_KEY });
      assert.deepEqual(
        flat(rows),
        (await registry()).hives.flatMap((h) => printkeyRows(h, RUN_KEY, false)),
      );
      assert.ok(rows.some((r) => r.values[4] === 'SecurityHealth' && r.values[2] === 'REG_EXPAND_SZ'));
      // Looking for Run among CurrentVersion's subkeys meets the paged-out Uninstall; each other hive says where the path stops.
      assert.deepEqual(pagedOut(warnings.filter((w) => w.code !== 'NOT_FOUND')), [['UNREADABLE', true]]);
      assert.deepEqual(
        warnings.filter((w) => w.code === 'NOT_FOUND').map((w) => w.message),
        (await registry()).hives.flatMap((h) => {
          const closest = closestKey(h, RUN_KEY);
          return closest
            ? [`key not found: ${closest.path} has no subkey ${closest.missing} (the closest existing key to ${h.name || '[NONAME]'}\\${RUN_KEY})`]
            : [];
        }),
      );
    });

    it('windows.registry.printkey --recurse: every resident key and value; the paged-out bin costs its keys with one warning', async () => {
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.registry.printkey', { recurse: true });
      assert.deepEqual(
        flat(rows),
        (await registry()).hives.flatMap((h) => printkeyRows(h, undefined, true)),
      );
      assert.deepEqual(pagedOut(warnings), [['UNREADABLE', true]]);
    });

    it('windows.registry.printkey --offset (as Volatility prints it) --key reads that hive only', async () => {
      const user = (await registry()).hives[3]!;
      const { rows } = await collectRun(await open((await image()).image), 'windows.registry.printkey', {
        offset: Number(BigInt(user.offset) & ADDRESS_BITS),
        key: `${USER_KEY}\\Explorer\\UserAssist`,
        recurse: true,
      });
      assert.deepEqual(flat(rows), printkeyRows(user, `${USER_KEY}\\Explorer\\UserAssist`, true));
      assert.ok(rows.some((r) => r.values[4] === 'Zvpebfbsg.Jvaqbjf.Rkcybere'));
    });

    it("windows.registry.userassist: NTUSER.DAT's Count keys, entries with ROT13 undone and known folders named", async () => {
      const user = (await registry()).hives.find((h) => h.name.toLowerCase().endsWith('ntuser.dat'))!;
      const { rows, warnings } = await collectRun(await open((await image()).image), 'windows.registry.userassist');
      assert.deepEqual(flat(rows), userAssistRows(user));
      assert.ok(rows.some((r) => r.values[5] === '%windir%\\system32\\cmd.exe'));
      assert.deepEqual(warnings, []);
    });

    describe('damaged hives', () => {
      /** The run context of the image's kernel and a reader of hive `n`'s keys. */
      const hiveAt = async (bytes: Uint8Array, n: number) => {
        const k = (await (await open(bytes)).kernel('windows')) as WindowsKernel;
        const ctx = new WindowsRunContext(k, { warn: () => {}, progress: () => {}, scanner: undefined as never, symbols: undefined as never });
        const hive = (await readHive(ctx, BigInt((await registry()).hives[n]!.offset)))!;
        const blocks = await binSpace(ctx);
        const keys = new HiveKeys(ctx, await HiveSpace.open(ctx, hive, blocks), () => {});
        const physical = async (index: number): Promise<number> => (await blocks.translate((await keys.space.address(index))!))!;
        return { ctx, keys, physical };
      };
      const patch = (bytes: Uint8Array, writes: readonly [number, number][]): Uint8Array => {
        const copy = bytes.slice();
        for (const [at, value] of writes) new DataView(copy.buffer).setUint32(at, value, true);
        return copy;
      };

      it('a subkey list that holds itself ends with a warning; the rest of the hive still comes', async () => {
        const bytes = (await image()).image;
        const { keys, physical } = await hiveAt(bytes, 2);
        const root = (await keys.key(keys.space.rootCell))!;
        const ri = root.subkeyLists[0];
        // The index root's first entry (after its size, signature and count) points back at the index root.
        const looping = patch(bytes, [[(await physical(ri)) + 8, ri]]);
        const { rows, warnings } = await collectRun(await open(looping), 'windows.registry.printkey', { recurse: true });
        assert.ok(warnings.some((w) => w.code === 'SMEAR'));
        assert.ok(rows.some((r) => r.values[4] === 'Microsoft'));
        assert.ok(rows.some((r) => r.values[4] === 'OneDrive'));
      });

      it('a key listing itself as a subkey is shown, not entered again', async () => {
        const bytes = (await image()).image;
        const { keys, physical } = await hiveAt(bytes, 3);
        const root = (await keys.key(keys.space.rootCell))!;
        // The root's stable subkey list: its one entry (Software) becomes the root itself.
        const cycle = patch(bytes, [[(await physical(root.subkeyLists[0])) + 8, root.index]]);
        const { rows } = await collectRun(await open(cycle), 'windows.registry.printkey', {
          offset: Number(BigInt((await registry()).hives[3]!.offset) & ADDRESS_BITS),
          recurse: true,
        });
        assert.equal(rows.filter((r) => r.values[4] === 'ROOT').length, 1);
      });

      it('a looping hive list ends with a warning after the hives before the loop', async () => {
        const bytes = (await image()).image;
        const { hives } = await registry();
        const { ctx } = await hiveAt(bytes, 0);
        const link = BigInt(ctx.fieldOffset('_CMHIVE', 'HiveList'));
        const last = (await ctx.vm.translate(BigInt(hives[3]!.offset) + link))!;
        const copy = bytes.slice();
        new DataView(copy.buffer).setBigUint64(last, BigInt(hives[1]!.offset) + link, true);
        const { rows, warnings } = await collectRun(await open(copy), 'windows.registry.hivelist');
        assert.deepEqual(
          rows.map((r) => r.values[0]),
          hives.map((h) => BigInt(h.offset)),
        );
        assert.ok(warnings.length > 0);
      });
    });
  });
}

describe('Volatility 3 reads the same hives, keys and values from the generated images', { skip: volatilitySkipReason() }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  const PRINTKEY_RUN = ['windows.registry.printkey', '--key', RUN_KEY] as const;
  const PRINTKEY_ALL = ['windows.registry.printkey', '--recurse'] as const;
  const USERASSIST = 'windows.registry.userassist';
  let runs: Map<string, VolatilityOnImage>;

  before(async () => {
    runs = await volatilityOnGeneratedImages({ size: SIZE, seed: 5 }, [
      'windows.registry.hivelist',
      'windows.registry.hivescan',
      PRINTKEY_RUN,
      PRINTKEY_ALL,
      USERASSIST,
    ]);
  });

  const mask = (v: unknown): unknown => (typeof v === 'bigint' ? v & ADDRESS_BITS : v);
  /** Volatility's printkey rows, flattened with their depth; Data as text (its JSON quotes strings, hex-dumps binary). */
  const volatilityPrintkey = (rows: readonly Record<string, unknown>[], depth = 0): unknown[][] =>
    rows.flatMap((r) => [
      [
        depth,
        r['Last Write Time'],
        BigInt(r['Hive Offset'] as number),
        r['Type'],
        r['Key'],
        r['Name'],
        volatilityData(r['Type'] as string, r['Data'] as string),
        r['Volatile'],
      ],
      ...volatilityPrintkey(r['__children'] as Record<string, unknown>[], depth + 1),
    ]);
  const expectedPrintkey = (hives: Hive[], key: string | undefined, recurse: boolean): unknown[][] =>
    hives.flatMap((h) => printkeyRows(h, key, recurse)).map((row) => row.map(mask).map((v, i) => (i === 6 && v === null ? '' : v)));

  for (const kernel of kernels) {
    it(`${kernel.name}: hivelist and hivescan give the generator's hives`, () => {
      const { rows, expected } = runs.get(kernel.name)!;
      const hives = expected.registry.hives;
      assert.deepEqual(
        rows.get('windows.registry.hivelist')!.map((r) => [BigInt(r['Offset'] as number), r['FileFullPath'], r['File output']]),
        hives.map((h) => [BigInt(h.offset) & ADDRESS_BITS, h.name, 'Disabled']),
      );
      const sorted = (v: bigint[]): bigint[] => [...v].sort((a, b) => (a < b ? -1 : 1));
      assert.deepEqual(
        sorted(rows.get('windows.registry.hivescan')!.map((r) => BigInt(r['Offset'] as number))),
        sorted(hives.map((h) => BigInt(h.offset) & ADDRESS_BITS)),
      );
    });

    it(`${kernel.name}: printkey --key Run gives the generator's rows`, () => {
      const { rows, expected } = runs.get(kernel.name)!;
      assert.deepEqual(volatilityPrintkey(rows.get(PRINTKEY_RUN.join(' '))!), expectedPrintkey(expected.registry.hives, RUN_KEY, false));
    });

    it(`${kernel.name}: userassist gives the generator's entries`, () => {
      const { rows, expected } = runs.get(kernel.name)!;
      const COLUMNS = [
        'Hive Offset',
        'Hive Name',
        'Path',
        'Last Write Time',
        'Type',
        'Name',
        'ID',
        'Count',
        'Focus Count',
        'Time Focused',
        'Last Updated',
      ];
      const flatten = (list: readonly Record<string, unknown>[], depth = 0): unknown[][] =>
        list.flatMap((r) => [
          [depth, ...COLUMNS.map((c) => (c === 'Hive Offset' ? BigInt(r[c] as number) : r[c])), hexDump(r['Raw Data'] as string)],
          ...flatten(r['__children'] as Record<string, unknown>[], depth + 1),
        ]);
      const user = expected.registry.hives.find((h) => h.name.toLowerCase().endsWith('ntuser.dat'))!;
      const want = userAssistRows(user).map(([depth, offset, ...rest]) => [depth, (offset as bigint) & ADDRESS_BITS, ...rest]);
      assert.deepEqual(flatten(rows.get(USERASSIST)!), want);
    });

    it(`${kernel.name}: printkey --recurse gives the generator's rows (but below an li subkey list, which Volatility does not read)`, () => {
      const { rows, expected } = runs.get(kernel.name)!;
      const hives = expected.registry.hives.map((h) => ({ ...h, keys: h.keys.map(withoutLiSubkeys) }));
      assert.deepEqual(volatilityPrintkey(rows.get(PRINTKEY_ALL.join(' '))!), expectedPrintkey(hives, undefined, true));
    });
  }
});

/** The one key the generator gives an li list: Volatility 3 sees no subkeys there. */
function withoutLiSubkeys(k: ExpectedRegistryKey): ExpectedRegistryKey {
  return k.path.join('\\') === 'ControlSet001\\Control\\ComputerName' ? { ...k, subkeys: [] } : k;
}

/** Volatility's JSON Data: integers as text, other data quoted, REG_BINARY as a hex dump with ASCII beside it. */
function volatilityData(type: string, data: string): string {
  if (type === 'REG_DWORD' || type === 'REG_QWORD' || data === '') return data;
  return type === 'REG_BINARY' ? hexDump(data)! : data.slice(1, -1);
}

/** A quoted hex dump (16 bytes a line, ASCII beside them) as hex pairs; null for an empty one. */
function hexDump(data: string): string | null {
  if (data === '') return null;
  return data
    .slice(1, -1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(0, 48).trim())
    .join(' ');
}
