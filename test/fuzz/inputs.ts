/**
 * The fuzzer's inputs: the real Linux capture in its four containers, a generated Windows image as raw memory and as
 * a crash dump, and the AFF4 reference images — each with the file ranges worth mutating. Test data comes from the
 * test-data helper (never an absolute path); what is missing is skipped with the reason.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openImage } from '../../src/formats/detect.ts';
import type { VirtualLayer } from '../../src/layers/virtual-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { linuxFixtureFile, linuxFixtureMissing, linuxTruth } from '../helpers/linux-fixture.ts';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
import { openWindowsSession } from '../helpers/windows-session.ts';
import { testDataMissing, testDataPath, REPO_ROOT } from '../helpers/test-data.ts';
import { fullCrashDump, headerFieldsFor } from '../fixtures/windows/crash-dump.ts';
import type { ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { buildWindowsImage } from '../fixtures/windows/generate.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { kdumpTargets } from './kdump-targets.ts';
import { headersBetweenRuns, placeInRuns, type PhysicalTarget, type Target } from './targets.ts';
import { zipTargets } from './zip-targets.ts';

export const FORMATS = ['raw', 'elf', 'lime', 'kdump', 'crashdump', 'aff4'] as const;
export type FuzzFormat = (typeof FORMATS)[number];

/** One image to fuzz: a file, how the engine needs it opened, and its targets. */
export interface FuzzInput {
  readonly format: FuzzFormat;
  /** A label for the summary ("raw: linux-a.raw"). */
  readonly label: string;
  /** The OS inside, for choosing plugins; undefined when there is none the engine reads (AFF4 reference images). */
  readonly os: 'linux' | 'windows' | undefined;
  readonly path: string;
  readonly size: number;
  readonly symbolDirs: readonly string[];
  readonly targets: readonly Target[];
}

export type Prepared = { readonly input: FuzzInput } | { readonly skip: string };

/** The prepared input of `format` with this label (a kept finding's), or undefined when its test data is missing. */
export async function inputLabelled(format: FuzzFormat, label: string): Promise<FuzzInput | undefined> {
  for (const prepared of await prepareInputs(format)) if ('input' in prepared && prepared.input.label === label) return prepared.input;
  return undefined;
}

export const FUZZ_CACHE = join(REPO_ROOT, '.cache', 'fuzz');
const PAGE = 4096;
/** The generated Windows image: 64 MiB, generator seed 1 (byte-identical on every machine). */
const WINDOWS_SEED = 1;

/** The inputs of one format: "raw" is both the Linux capture and the generated Windows image. */
export async function prepareInputs(format: FuzzFormat): Promise<Prepared[]> {
  switch (format) {
    case 'raw':
      return [await prepareLinux('raw'), await prepareWindows('raw')];
    case 'elf':
    case 'lime':
    case 'kdump':
      return [await prepareLinux(format)];
    case 'crashdump':
      return [await prepareWindows('crashdump')];
    case 'aff4':
      return [await prepareAff4()];
  }
}

async function runsOf(path: string) {
  const physical = await openImage(await NodeFileSource.open(path));
  try {
    return physical.runs;
  } finally {
    await physical.source.close?.();
  }
}

let linuxPhysical: Promise<PhysicalTarget[]> | undefined;

/**
 * Where the Linux capture's kernel structures lie in physical memory (the same in every container): the page tables
 * truth.json names, every task_struct linux.pslist finds on the unmutated raw image (the list links among them), the
 * kernel's read-only data (kallsyms tables) and its BTF, from truth.json's symbol addresses.
 */
function linuxPhysicalTargets(): Promise<PhysicalTarget[]> {
  linuxPhysical ??= (async () => {
    const truth = linuxTruth() as ReturnType<typeof linuxTruth> & {
      kernel: { text_virt: string; text_phys: string; kallsyms_selected: Record<string, string>; derived_from_raw: Record<string, string> };
    };
    const { kernel } = truth;
    const phys = (symbol: string): number => Number(BigInt(kernel.kallsyms_selected[symbol]!) - BigInt(kernel.text_virt) + BigInt(kernel.text_phys));
    const directMap = BigInt(kernel.derived_from_raw['page_offset_base']!);
    const session = await openLinuxSession('linux-a.raw');
    const tasks = await rowsByColumn(session, 'linux.pslist').finally(() => session.close());
    return [
      { kind: 'page-table', address: Number(BigInt(kernel.derived_from_raw['init_top_pgt_phys']!)), length: PAGE },
      { kind: 'page-table', address: Number(BigInt(truth.cr3)), length: PAGE },
      { kind: 'task-list', address: Number(BigInt(kernel.derived_from_raw['init_task_phys']!)), length: 3 * PAGE },
      ...tasks.map((row) => ({ kind: 'task-list', address: Number(BigInt(String(row['OFFSET (V)'])) - directMap), length: 3 * PAGE })),
      { kind: 'kallsyms', address: phys('_etext'), length: phys('__start_BTF') - phys('_etext') },
      { kind: 'btf', address: phys('__start_BTF'), length: phys('__stop_BTF') - phys('__start_BTF') },
      { kind: 'vmcoreinfo', address: phys('vmcoreinfo_data'), length: PAGE },
    ];
  })();
  return linuxPhysical;
}

async function prepareLinux(format: 'raw' | 'elf' | 'lime' | 'kdump'): Promise<Prepared> {
  const missing = linuxFixtureMissing();
  if (missing) return { skip: missing };
  const name = `linux-a.${format}`;
  const path = await linuxFixtureFile(name);
  const physical = await linuxPhysicalTargets();
  const size = linuxTruth().files[name]!.size;
  let targets: Target[];
  if (format === 'kdump') {
    const k = (linuxTruth() as unknown as { kdump: { block_size: number; sub_hdr_size: number; bitmap_blocks: number } }).kdump;
    const file = await NodeFileSource.open(path);
    targets = await kdumpTargets(file, { blockSize: k.block_size, subHeaderBlocks: k.sub_hdr_size, bitmapBlocks: k.bitmap_blocks }, physical).finally(
      () => file.close(),
    );
  } else {
    const runs = await runsOf(path);
    targets = [...headersBetweenRuns(runs), ...placeInRuns(physical, runs)];
  }
  return { input: { format, label: `${format}: ${name}`, os: 'linux', path, size, symbolDirs: [], targets } };
}

interface WindowsFiles {
  readonly raw: string;
  readonly dump: string;
  readonly expected: ExpectedWindowsImage;
  /** The crash dump's runs: where each physical range lies in its file. */
  readonly dumpRuns: { start: number; length: number; fileOffset: number }[];
}

let windowsFiles: Promise<WindowsFiles> | undefined;

/** The generated Windows image and its full crash dump, written once under .cache/fuzz/inputs/. */
function windowsImageFiles(): Promise<WindowsFiles> {
  windowsFiles ??= (async () => {
    const dir = join(FUZZ_CACHE, 'inputs', `windows-seed${WINDOWS_SEED}`);
    const [raw, dump, meta] = ['image.raw', 'image.dmp', 'meta.json'].map((f) => join(dir, f)) as [string, string, string];
    if (!existsSync(meta)) {
      const built = await buildWindowsImage({ seed: WINDOWS_SEED });
      const written = fullCrashDump(built.image, headerFieldsFor(built));
      mkdirSync(dir, { recursive: true });
      writeFileSync(raw, built.image);
      writeFileSync(dump, written.bytes);
      // Full dumps store the runs in header order from 0x2000 on (crash-dump.ts).
      const dumpRuns = [];
      let at = 0x2000;
      for (const r of written.present) {
        dumpRuns.push({ start: r.firstPage * PAGE, length: r.pageCount * PAGE, fileOffset: at });
        at += r.pageCount * PAGE;
      }
      writeFileSync(meta, JSON.stringify({ expected: built.expected, dumpRuns }));
    }
    const { expected, dumpRuns } = JSON.parse(readFileSync(meta, 'utf8')) as Pick<WindowsFiles, 'expected' | 'dumpRuns'>;
    return { raw, dump, expected, dumpRuns };
  })();
  return windowsFiles;
}

/** The generator's structures (expected.json): the System page tables, each process's pool header and _EPROCESS (its list links). */
function windowsPhysicalTargets(expected: ExpectedWindowsImage): PhysicalTarget[] {
  return [
    { kind: 'page-table', address: Number(expected.kernel.dtb), length: PAGE },
    ...(expected.lowStub ? [{ kind: 'low-stub', address: Number(expected.lowStub.physical), length: PAGE }] : []),
    ...expected.processes.flatMap((p) => [
      { kind: 'pool-header', address: Number(p.poolHeaderPhysical), length: 16 },
      { kind: 'process-list', address: Number(p.eprocessPhysical), length: 0xa40 },
    ]),
  ];
}

let windowsStructures: Promise<PhysicalTarget[]> | undefined;

/** How much of a structure at a target's address a mutation may hit. */
const STRUCTURE_SPAN = 0x200;

/**
 * Where the generator's kernel debug directory, registry, network and DNS structures lie in physical memory: each hive's _CMHIVE (its storage
 * maps lead to every cell), every endpoint and neighbour (the damaged ones too), the DNS Client's hash table, its
 * entries and records — expected.json gives their virtual addresses, translated here through the unmutated image's
 * page tables (the kernel's; the DNS Client's own for its cache).
 */
function windowsStructureTargets(raw: string, expected: ExpectedWindowsImage): Promise<PhysicalTarget[]> {
  windowsStructures ??= (async () => {
    const session = await openWindowsSession(new Uint8Array(await readFile(raw)));
    try {
      const kernel = await session.kernel('windows');
      const targets: PhysicalTarget[] = [];
      const add = async (space: VirtualLayer, kind: string, addresses: readonly string[]) => {
        for (const address of addresses) {
          const physical = await space.translate(BigInt(address));
          if (physical !== null) targets.push({ kind, address: physical, length: STRUCTURE_SPAN });
        }
      };
      // The kernel's debug directory and the CodeView record after it: smeared, the PDB identity comes from a layout match.
      const debugDirectory = kernel.image.base + BigInt(kernel.image.pe.debugDirectoryRva);
      await add(kernel.vm, 'kernel-debug-directory', [`0x${debugDirectory.toString(16)}`]);
      await add(
        kernel.vm,
        'hive',
        expected.registry.hives.map((h) => h.offset),
      );
      await add(
        kernel.vm,
        'endpoint',
        [...expected.network.rows, ...expected.network.damaged].map((e) => e.offset),
      );
      await add(
        kernel.vm,
        'neighbour',
        [...expected.neighbours.rows, ...expected.neighbours.damaged].map((n) => n.offset),
      );
      const dns = expected.dnsCache;
      const dnsProcess = dns && expected.processes.find((p) => p.pid === dns.pid);
      if (dns && dnsProcess) {
        const space = kernel.processLayer(BigInt(dnsProcess.dtb));
        await add(space, 'dns-cache', [dns.table, ...dns.rows.flatMap((r) => [r.entry, r.record]), ...dns.damaged.map((d) => d.entry)]);
      }
      return targets;
    } finally {
      await session.close();
    }
  })();
  return windowsStructures;
}

/** The generated Windows image as raw memory (file offset = physical address) or as a full crash dump. */
async function prepareWindows(format: 'raw' | 'crashdump'): Promise<Prepared> {
  const files = await windowsImageFiles();
  const physical = [...windowsPhysicalTargets(files.expected), ...(await windowsStructureTargets(files.raw, files.expected))];
  const common = { os: 'windows', symbolDirs: [REPO_SYMBOLS] } as const;
  if (format === 'raw') {
    const targets = physical.map((t) => ({ kind: t.kind, offset: t.address, length: t.length }));
    return { input: { ...common, format, label: 'raw: generated Windows', path: files.raw, size: (await stat(files.raw)).size, targets } };
  }
  // The 0x2000-byte DUMP_HEADER64 is the file range before the first run.
  const targets = [...headersBetweenRuns(files.dumpRuns, 'dump-header'), ...placeInRuns(physical, files.dumpRuns)];
  return { input: { ...common, format, label: 'crashdump: generated Windows', path: files.dump, size: (await stat(files.dump)).size, targets } };
}

const AFF4_IMAGE = 'fixtures/aff4/Base-Linear.aff4';

async function prepareAff4(): Promise<Prepared> {
  const missing = testDataMissing(AFF4_IMAGE);
  if (missing) return { skip: missing };
  const path = testDataPath(AFF4_IMAGE);
  const bytes = new Uint8Array(await readFile(path));
  return {
    input: { format: 'aff4', label: 'aff4: Base-Linear.aff4', os: undefined, path, size: bytes.length, symbolDirs: [], targets: zipTargets(bytes) },
  };
}
