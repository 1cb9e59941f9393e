/**
 * yarascan.yarascan --kernel: YARA over what the kernel's page tables map, Offset a kernel virtual address. On the
 * generated Windows images its rows are Volatility 3's yarascan's (which scans the kernel's address space); on the
 * real Linux capture every match is one of the physical scan's seen through the kernel's mappings — each physical
 * match through the direct map, and the kernel image's own mapping of its banner at linux_banner (truth.json).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { VirtualMemory } from '../../src/plugins/api.ts';
import { optionScanner } from '../../src/plugins/common/yara-options.ts';
import { scanRanges, YARA_BATCHED_RANGE } from '../../src/plugins/common/yara-scan.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collectRun, openLinuxSession } from '../helpers/linux-session.ts';
import { ADDRESS_BITS, volatilityOnGeneratedImages, volatilityYaraSkipReason, type VolatilityOnImage } from '../helpers/windows-volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const WINDOWS_RULES = String.raw`rule kernel_names { strings: $a = "lsass.exe" $d = "\\Driver\\" wide $p = "Proc" condition: any of them }`;

const hitKey = (offset: bigint, rule: unknown, component: unknown) => `0x${(offset & ADDRESS_BITS).toString(16)} ${rule} ${component}`;

describe('short ranges scanned together', () => {
  it('give their matches at their own addresses, none across from one range into the next', async () => {
    const text = new TextEncoder();
    const ranges = [
      { start: 0x10_0000n, length: 0x1000 },
      { start: 0x30_0000n, length: 0x2000 },
      // Long: chunked on its own, not batched.
      { start: 0x100_0000n, length: YARA_BATCHED_RANGE + 0x1000 },
    ];
    const memory = new Map(ranges.map((r) => [r.start, new Uint8Array(r.length)]));
    // "needle" split over the first range's end and the second's start: one after the other in a batch, but not in memory.
    memory.get(0x10_0000n)!.set(text.encode('nee'), 0x1000 - 3);
    memory.get(0x30_0000n)!.set(text.encode('dle'), 0);
    memory.get(0x30_0000n)!.set(text.encode('needle'), 0x1234);
    memory.get(0x100_0000n)!.set(text.encode('needle'), YARA_BATCHED_RANGE - 2);
    const read = async (address: bigint, length: number) => {
      const [start, bytes] = [...memory].find(([at, b]) => address >= at && address < at + BigInt(b.length))!;
      return bytes.subarray(Number(address - start), Number(address - start) + length);
    };
    const ctx = { options: { 'yara-string': 'needle' }, warn: () => undefined, progress: () => undefined };
    const rules = await optionScanner(ctx);
    const found: bigint[] = [];
    for await (const m of scanRanges(rules, ranges, read, ctx)) found.push(m.address);
    rules.free();
    assert.deepEqual(found, [0x30_1234n, 0x100_0000n + BigInt(YARA_BATCHED_RANGE - 2)]);
  });
});

describe(
  "yarascan --kernel on the generated Windows images: Volatility 3's yarascan rows",
  { skip: volatilityYaraSkipReason('yarascan.YaraScan') },
  () => {
    let volatility: Map<string, VolatilityOnImage>;
    const rulesFile = join(mkdtempSync(join(tmpdir(), 'memscope-kernel-yara-')), 'names.yar');
    before(async () => {
      writeFileSync(rulesFile, WINDOWS_RULES);
      volatility = await volatilityOnGeneratedImages({ size: SIZE, seed: 5 }, [['yarascan.YaraScan', '--yara-file', rulesFile]]);
    });

    for (const kernel of WINDOWS_KERNELS.filter((k) => !k.skip)) {
      it(kernel.name, async () => {
        const { image } = await windowsImage({ size: SIZE, seed: 5, isfPath: kernel.isfPath });
        const session = await openWindowsSession(image, { symbolDirs: [kernel.symbolDir] });
        const { rows } = await collectRun(session, 'yarascan.yarascan', { 'yara-rules': WINDOWS_RULES, kernel: true });
        const theirs = volatility.get(kernel.name)!.rows.get(`yarascan.YaraScan --yara-file ${rulesFile}`)!;
        assert.ok(theirs.length > 10, `Volatility finds the names (${theirs.length} rows)`);
        assert.ok(new Set(theirs.map((r) => r['Component'])).size === 3, 'each pattern matches');
        assert.deepEqual(
          rows.map((r) => hitKey(r.values[0] as bigint, r.values[1], r.values[2])).sort(),
          theirs.map((r) => hitKey(BigInt(r['Offset'] as number), r['Rule'], r['Component'])).sort(),
        );
      });
    }
  },
);

describe(
  'yarascan --kernel on the real Linux capture: the physical matches, seen through the kernel’s mappings',
  { skip: linuxFixtureSkipReason() },
  () => {
    it('every kernel match is a physical one, every physical one is in the direct map, the banner at linux_banner', async () => {
      const kernel = linuxTruth()['kernel'] as {
        kallsyms_selected: Record<string, string>;
        derived_from_raw: { page_offset_base: string; linux_banner: string };
      };
      const banner = kernel.derived_from_raw.linux_banner.slice(0, 48);
      const rules = `rule banner { strings: $b = "${banner}" condition: $b }`;
      const session = await openLinuxSession('linux-a.raw');
      const physical = (await collectRun(session, 'yarascan.yarascan', { 'yara-rules': rules })).rows.map((r) => Number(r.values[0]));
      const virtual = (await collectRun(session, 'yarascan.yarascan', { 'yara-rules': rules, kernel: true })).rows.map((r) => r.values[0] as bigint);
      assert.ok(physical.length >= 2, `the banner is in memory (${physical.length} physical matches)`);
      const vm = ((await session.kernel('linux')) as { vm: VirtualMemory }).vm;
      const behind = await Promise.all(virtual.map((v) => vm.translate(v)));
      assert.deepEqual([...new Set(behind)].sort(), [...new Set(physical)].sort());
      const directMap = BigInt(kernel.derived_from_raw.page_offset_base);
      for (const p of physical) assert.ok(virtual.includes(directMap + BigInt(p)), `0x${p.toString(16)} through the direct map`);
      assert.ok(virtual.includes(BigInt(kernel.kallsyms_selected['linux_banner']!)), 'linux_banner');
    });
  },
);
