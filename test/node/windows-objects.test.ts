/**
 * windows.filescan, windows.mutantscan, windows.symlinkscan and windows.mounts on generated images of each Windows
 * kernel, against the objects the generator wrote (expected.json objects): the handle tables' file and mutant objects
 * (so the scans and windows.handles agree), unnamed mutants, the object namespace's symbolic links (a deleted one
 * too, a damaged one never), the drive letters and volumes of \GLOBAL?? and of the user's logon session. A smeared
 * namespace (a bucket chain looping back, an entry pointing at garbage, a link whose target is gone) costs rows and
 * gives warnings, never a hang. Volatility 3's filescan, mutantscan and symlinkscan, where it can run, read the same rows.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import type { ExpectedMount, ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { volatilitySkipReason } from '../helpers/volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';
import { ADDRESS_BITS, volatilityOnGeneratedImages, volatilityValues, type VolatilityOnImage } from '../helpers/windows-volatility.ts';

const SIZE = 24 * 1024 * 1024;
const HASH_BUCKETS = 37;

type Rows = unknown[][];
const values = (rows: readonly { values: readonly unknown[] }[]): Rows => rows.map((r) => [...r.values]);
/** Scan order is physical: compare by offset (the first column). */
const byOffset = (rows: Rows): Rows =>
  [...rows].sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : (a[0] as bigint) > (b[0] as bigint) ? 1 : 0));

const fileRows = (e: ExpectedWindowsImage): Rows => e.objects.files.map((f) => [BigInt(f.offset), f.name]);
const mutantRows = (e: ExpectedWindowsImage): Rows => e.objects.mutants.map((m) => [BigInt(m.offset), m.name]);
const symlinkRows = (e: ExpectedWindowsImage): Rows => e.objects.symlinks.map((l) => [BigInt(l.offset), toVolatilityTime(l.created), l.from, l.to]);
/** windows.mounts: per directory (\GLOBAL?? first), drive letters before volumes, each by name. */
const mountRows = (mounts: readonly ExpectedMount[]): Rows => {
  const key = (m: ExpectedMount): string =>
    `${m.directory === '\\GLOBAL??' ? 0 : 1}${m.directory}\0${/^[A-Z]:$/.test(m.name) ? 0 : 1}${m.name.toUpperCase()}`;
  return [...mounts]
    .sort((a, b) => (key(a) < key(b) ? -1 : 1))
    .map((m) => [m.name, m.target, m.directory, toVolatilityTime(m.created), BigInt(m.offset)]);
};

/** A directory's entries as the generator chained them: [entry address, object] per bucket. */
async function chains(k: WindowsKernel, directory: bigint): Promise<[entry: bigint, object: bigint][][]> {
  const out: [bigint, bigint][][] = [];
  for (let bucket = 0; bucket < HASH_BUCKETS; bucket++) {
    const chain: [bigint, bigint][] = [];
    for (let entry = (await k.vm.readU64(directory + BigInt(8 * bucket)))!; entry !== 0n; entry = (await k.vm.readU64(entry))!) {
      chain.push([entry, (await k.vm.readU64(entry + 8n))!]);
    }
    out.push(chain);
  }
  return out;
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`named kernel objects on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator wrote files, named and unnamed mutants, links in and out of directories, drives global and mapped', async () => {
      const { objects } = (await image()).expected;
      assert.ok(objects.files.length > 50);
      assert.ok(objects.mutants.some((m) => m.name === 'DC_MUTEX-F54S21D'));
      assert.ok(objects.mutants.some((m) => m.name === null));
      assert.ok(
        objects.symlinks.some((l) => l.from === 'Y:' && !objects.mounts.some((m) => m.offset === l.offset)),
        'a deleted link',
      );
      assert.ok(objects.mounts.some((m) => m.name === 'C:' && m.target === '\\Device\\HarddiskVolume3' && m.directory === '\\GLOBAL??'));
      assert.ok(objects.mounts.some((m) => m.name.startsWith('Volume{')));
      assert.ok(
        objects.mounts.some(
          (m) => m.name === 'Z:' && m.target.startsWith('\\Device\\LanmanRedirector\\;Z:') && m.directory.startsWith('\\Sessions\\0\\DosDevices\\'),
        ),
      );
      assert.equal(objects.damagedLinks.length, 1);
    });

    // The handle tables' objects, named as windows.handles names them (a file with its device's name in front).
    for (const [plugin, want, type] of [
      ['windows.filescan', fileRows, 'File'],
      ['windows.mutantscan', mutantRows, 'Mutant'],
    ] as const) {
      it(`${plugin} gives the generator's objects, every ${type} handle's among them`, async () => {
        const { expected } = await image();
        const { rows, warnings } = await collectRun(await session(), plugin);
        assert.deepEqual(byOffset(values(rows)), byOffset(want(expected)));
        assert.deepEqual(warnings, []);
        const names = new Map(rows.map((r) => [r.values[0], r.values[1]]));
        for (const h of expected.processes.flatMap((p) => p.handleEntries ?? []).filter((h) => h.type === type))
          assert.ok(h.name.endsWith(names.get(BigInt(h.object)) as string), h.name);
      });
    }

    it("windows.symlinkscan gives the generator's links, the deleted one too, and skips the damaged one with a warning", async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.symlinkscan');
      assert.deepEqual(byOffset(values(rows)), byOffset(symlinkRows(expected)));
      assert.deepEqual(
        warnings.map((w) => [w.code, w.address]),
        expected.objects.damagedLinks.map((offset) => ['UNREADABLE', offset]),
      );
    });

    it('windows.mounts gives the drive letters and volumes of \\GLOBAL?? and of the logon session, without warnings', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.mounts');
      assert.deepEqual(values(rows), mountRows(expected.objects.mounts));
      assert.deepEqual(warnings, []);
    });

    it('a looping bucket chain, an entry pointing at garbage and a link whose target is gone cost rows, with warnings', async () => {
      const { image: bytes, expected } = await image();
      const k = (await (await session()).kernel('windows')) as WindowsKernel;
      const mounts = expected.objects.mounts;
      const offsetOf = (name: string): bigint => BigInt(mounts.find((m) => m.name === name)!.offset);
      // \GLOBAL?? is the directory in C:'s name header.
      const nameInfo = offsetOf('C:') - BigInt(k.layout.offset('_OBJECT_HEADER', 'Body') + k.layout.size('_OBJECT_HEADER_NAME_INFO'));
      const global = (await k.vm.readU64(nameInfo + BigInt(k.layout.offset('_OBJECT_HEADER_NAME_INFO', 'Directory'))))!;
      const buckets = await chains(k, global);
      const copy = bytes.slice();
      const poke = async (va: bigint, value: bigint): Promise<void> => {
        const physical = await k.vm.translate(va);
        assert.ok(physical !== null);
        new DataView(copy.buffer).setBigUint64(physical, value, true);
      };
      // The longest chain's last entry links back to its first; D:'s entry points at garbage; Z:'s target buffer is gone.
      const longest = buckets.reduce((a, b) => (b.length > a.length ? b : a));
      await poke(longest.at(-1)![0], longest[0]![0]);
      const d = buckets.flat().find(([, object]) => object === offsetOf('D:'))!;
      await poke(d[0] + 8n, 0x4141_4141_4141_4140n);
      await poke(offsetOf('Z:') + BigInt(k.layout.offset('_OBJECT_SYMBOLIC_LINK', 'LinkTarget.Buffer')), 0xffff_f6ff_dead_0000n);

      const { rows, warnings } = await collectRun(await openWindowsSession(copy, { symbolDirs: [kernel.symbolDir] }), 'windows.mounts');
      assert.deepEqual(values(rows), mountRows(mounts.filter((m) => m.name !== 'D:' && m.name !== 'Z:')));
      assert.deepEqual(
        warnings.map((w) => `${w.code} ${w.address}`).sort(),
        [`SMEAR 0x${longest[0]![0].toString(16)}`, 'SMEAR 0x4141414141414140', `UNREADABLE 0x${offsetOf('Z:').toString(16)}`].sort(),
      );
      assert.ok(warnings.some((w) => /loops back/.test(w.message)));
    });
  });
}

describe('Volatility 3 reads the same objects from the generated images', { skip: volatilitySkipReason() }, () => {
  const kernels = WINDOWS_KERNELS.filter((k) => !k.skip);
  let results: Map<string, VolatilityOnImage>;

  const cases: readonly [plugin: string, columns: readonly string[], want: (e: ExpectedWindowsImage) => Rows][] = [
    ['windows.filescan', ['Offset', 'Name'], fileRows],
    ['windows.mutantscan', ['Offset', 'Name'], mutantRows],
    ['windows.symlinkscan', ['Offset', 'CreateTime', 'From Name', 'To Name'], symlinkRows],
  ];

  before(async () => {
    results = await volatilityOnGeneratedImages(
      { size: SIZE, seed: 11 },
      cases.map(([plugin]) => plugin),
    );
  });

  for (const kernel of kernels) {
    for (const [plugin, columns, want] of cases) {
      it(`${kernel.name}: ${plugin}'s rows are the generator's${plugin === 'windows.mutantscan' ? ' (and phantoms inside their allocations)' : ''}`, () => {
        const { rows, expected } = results.get(kernel.name)!;
        const got = rows.get(plugin)!.map((r) => volatilityValues(r, columns));
        const wanted = want(expected).map(([offset, ...rest]) => [(offset as bigint) & ADDRESS_BITS, ...rest]);
        const offsets = new Set(wanted.map((r) => r[0]));
        assert.deepEqual(byOffset(got.filter((r) => offsets.has(r[0]))), byOffset(wanted));
        // Volatility tries every 16-byte step of the optional headers' span after a 'Muta' pool header (past the
        // block's end too) and keeps each whose TypeIndex decodes to Mutant: where zeroed bytes (a NULL Directory, an
        // unset field) decode so, it lists phantoms near a real mutant, unnamed. memscope keeps the header that fits.
        // Its filescan also reads past a File block's end: where the next allocation holds a named mutant, a header
        // position inside it can decode as File, and it lists a "file" named as that mutant, just before its body.
        const mutants = mutantRows(expected).map(([o, name]) => [(o as bigint) & ADDRESS_BITS, name] as const);
        for (const [offset, ...rest] of got.filter((r) => !offsets.has(r[0]))) {
          if (plugin === 'windows.filescan') {
            const at = offset as bigint;
            assert.ok(
              mutants.some(([o, name]) => o > at && o - at < 0x100n && name === rest[0]),
              `unexpected row at 0x${at.toString(16)}: no mutant named ${String(rest[0])} just after it`,
            );
            continue;
          }
          assert.equal(plugin, 'windows.mutantscan', `unexpected row at 0x${(offset as bigint).toString(16)}`);
          assert.deepEqual(rest, [null]);
          const near = (o: unknown): boolean => (offset as bigint) - (o as bigint) > -0x100n && (offset as bigint) - (o as bigint) < 0x100n;
          assert.ok(
            wanted.some(([o]) => near(o)),
            `phantom at 0x${(offset as bigint).toString(16)} near no mutant`,
          );
        }
      });
    }
  }
});
