// windows.pslist / windows.dlllist / windows.modules / windows.modscan --dump: PE images rebuilt from memory as
// Volatility 3's reconstruct() rebuilds them (src/plugins/windows/pe-dump.ts). Checked against the PE format's own
// offsets on images built here, against pefile (Debian's python3-pefile) parsing each file, against the generator's
// page tables walked here over the raw image and its section list, and against Volatility 3's own modules --dump.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { NodeOutputDir } from '../../src/node/node-output-dir.ts';
import type { OutputFile, VirtualMemory } from '../../src/plugins/api.ts';
import { NO_HOST_FILES } from '../../src/plugins/common/file-output.ts';
import type { Cell, CountedWarning, PluginOptions, RunWarning } from '../../src/plugins/plugin.ts';
import { dumpPe, PE_DUMP_FAILED, writePeImage } from '../../src/plugins/windows/pe-dump.ts';
import { ENTRY_SYMBOL } from '../fixtures/windows/generate.ts';
import { loadIsf } from '../fixtures/windows/isf.ts';
import { kernelSections } from '../fixtures/windows/kernel-sections.ts';
import { writeSymbolPack } from '../fixtures/windows/symbol-pack.ts';
import { untracked } from '../helpers/untracked.ts';
import { extractVolatilitySource, PYTHON, run, volatilitySkipReason } from '../helpers/volatility.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const PAGE = 0x1000;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const hex = (n: bigint | number) => `0x${n.toString(16)}`;
const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

interface PefileView {
  imageBase: string;
  entry: number;
  sizeOfImage: number;
  sections: { name: string; va: number; vsize: number; raw: number; rawSize: number; sha256: string }[];
}

/** What pefile (an independent PE reader) makes of a file. */
function pefile(path: string): PefileView {
  const script = `
import hashlib, json, sys, pefile
pe = pefile.PE(sys.argv[1])
print(json.dumps({'imageBase': hex(pe.OPTIONAL_HEADER.ImageBase), 'entry': pe.OPTIONAL_HEADER.AddressOfEntryPoint,
  'sizeOfImage': pe.OPTIONAL_HEADER.SizeOfImage,
  'sections': [{'name': s.Name.rstrip(b'\\0').decode('latin1'), 'va': s.VirtualAddress, 'vsize': s.Misc_VirtualSize,
    'raw': s.PointerToRawData, 'rawSize': s.SizeOfRawData, 'sha256': hashlib.sha256(s.get_data()).hexdigest()} for s in pe.sections]}))`;
  const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PefileView;
}

const pefileMissing = spawnSync(PYTHON, ['-c', 'import pefile']).status === 0 ? false : 'pefile is not installed (Debian: python3-pefile)';

// ---- Images built here, laid out by the PE format's offsets (PE/COFF specification) ----

const E_LFANEW = 0x80;
const OPTIONAL_HEADER = E_LFANEW + 24;
const ENTRY = 0x1234;
interface TestSection {
  readonly name: string;
  readonly va: number;
  readonly vsize: number;
}

/** A PE image as the loader maps it: headers, a section table whose raw data is laid out for a file, every byte after the headers patterned. */
function testImage(wide: boolean, sizeOfImage: number, sections: readonly TestSection[]): Uint8Array {
  const bytes = new Uint8Array(sizeOfImage);
  for (let i = 0x400; i < sizeOfImage; i++) bytes[i] = (i * 7 + (i >> 12)) & 0xff;
  const v = new DataView(bytes.buffer);
  v.setUint16(0, 0x5a4d, true);
  v.setUint32(0x3c, E_LFANEW, true);
  v.setUint32(E_LFANEW, 0x4550, true);
  v.setUint16(E_LFANEW + 4, wide ? 0x8664 : 0x14c, true);
  v.setUint16(E_LFANEW + 6, sections.length, true);
  const optionalSize = wide ? 0xf0 : 0xe0;
  v.setUint16(E_LFANEW + 20, optionalSize, true);
  const o = OPTIONAL_HEADER;
  v.setUint16(o, wide ? 0x20b : 0x10b, true);
  v.setUint32(o + 16, ENTRY, true);
  if (wide) v.setBigUint64(o + 24, 0x1_4000_0000n, true);
  else v.setUint32(o + 28, 0x40_0000, true);
  v.setUint32(o + 32, PAGE, true); // SectionAlignment
  v.setUint32(o + 36, 0x200, true); // FileAlignment
  v.setUint32(o + 56, sizeOfImage, true);
  v.setUint32(o + 60, 0x400, true); // SizeOfHeaders
  v.setUint32(o + (wide ? 108 : 92), 16, true); // NumberOfRvaAndSizes
  let raw = 0x400;
  sections.forEach((s, i) => {
    const at = o + optionalSize + i * 40;
    bytes.set(new TextEncoder().encode(s.name), at);
    v.setUint32(at + 8, s.vsize, true);
    v.setUint32(at + 12, s.va, true);
    v.setUint32(at + 16, roundUp(s.vsize, 0x200), true);
    v.setUint32(at + 20, raw, true);
    v.setUint32(at + 36, 0x6000_0020, true);
    raw += roundUp(s.vsize, 0x200);
  });
  return bytes;
}

/** `bytes` mapped at `base`, the pages numbered in `holes` not captured. */
function memoryOf(base: bigint, bytes: Uint8Array, holes: readonly number[] = []): VirtualMemory {
  const read = async (address: bigint, length: number) => {
    const start = Number(address - base);
    if (address < base || start + length > bytes.length) return null;
    for (let p = Math.floor(start / PAGE); p * PAGE < start + length; p++) if (holes.includes(p)) return null;
    return bytes.slice(start, start + length);
  };
  return { read } as unknown as VirtualMemory;
}

/** An output file kept in memory, and its bytes once closed. */
function memoryFile(name = 'memory.dmp'): { file: OutputFile; bytes: () => Uint8Array } {
  const writes: [number, Uint8Array][] = [];
  let length = 0;
  const file: OutputFile = {
    name,
    write: async (bytes, at = 0) => void writes.push([at, bytes.slice()]),
    close: async (l = 0) => void (length = l),
  };
  return {
    file,
    bytes: () => {
      const out = new Uint8Array(length);
      for (const [at, bytes] of writes) out.set(bytes.subarray(0, Math.max(0, length - at)), at);
      return out;
    },
  };
}

const SECTIONS: readonly TestSection[] = [
  { name: '.text', va: 0x1000, vsize: 0x2345 },
  { name: '.data', va: 0x4000, vsize: 0x800 },
  { name: '.reloc', va: 0x5000, vsize: 0x1000 },
];

describe('writePeImage (Volatility 3 reconstruct())', () => {
  for (const wide of [true, false]) {
    it(`rebuilds a ${wide ? 'PE32+' : 'PE32'} image: memory layout, ImageBase = its base, raw data where it lies in memory, holes as zeros`, async (t) => {
      const base = wide ? 0x7ff6_1234_0000n : 0x7654_0000n;
      const image = testImage(wide, 0x6000, SECTIONS);
      const { file, bytes } = memoryFile();
      const warnings: RunWarning[] = [];
      assert.equal(await writePeImage({ warn: (w) => warnings.push(w) }, memoryOf(base, image, [2]), base, file), null);
      assert.deepEqual(warnings, []);
      const out = bytes();
      assert.equal(out.length, image.length);
      const v = new DataView(out.buffer);
      assert.equal(wide ? v.getBigUint64(OPTIONAL_HEADER + 24, true) : BigInt(v.getUint32(OPTIONAL_HEADER + 28, true)), base);
      const table = OPTIONAL_HEADER + (wide ? 0xf0 : 0xe0);
      SECTIONS.forEach((s, i) => {
        const at = table + i * 40;
        assert.deepEqual(
          [v.getUint32(at + 8, true), v.getUint32(at + 12, true), v.getUint32(at + 16, true), v.getUint32(at + 20, true)],
          [roundUp(s.vsize, PAGE), s.va, roundUp(s.vsize, PAGE), s.va],
          s.name,
        );
      });
      assert.ok(
        out.subarray(2 * PAGE, 3 * PAGE).every((b) => b === 0),
        'the page not captured reads as zeros',
      );
      assert.deepEqual(out.subarray(3 * PAGE), image.subarray(3 * PAGE));
      assert.deepEqual(out.subarray(0x400, 2 * PAGE), image.subarray(0x400, 2 * PAGE));
      if (pefileMissing) return t.skip(pefileMissing);
      const path = join(mkdtempSync(join(tmpdir(), 'memscope-pe-')), 'image.dmp');
      writeFileSync(path, out);
      const parsed = pefile(path);
      assert.equal(BigInt(parsed.imageBase), base);
      assert.equal(parsed.entry, ENTRY);
      assert.deepEqual(
        parsed.sections.map((s) => [s.name, s.va, s.raw, s.rawSize, s.sha256]),
        SECTIONS.map((s) => [s.name, s.va, s.va, roundUp(s.vsize, PAGE), sha256(out.subarray(s.va, s.va + roundUp(s.vsize, PAGE)))]),
      );
    });
  }

  it('leaves the ImageBase of a PE32 image mapped above 4 GiB as it was, with a warning, as Volatility does', async () => {
    const base = 0x1_0000_0000n;
    const { file, bytes } = memoryFile();
    const warnings: RunWarning[] = [];
    assert.equal(await writePeImage({ warn: (w) => warnings.push(w) }, memoryOf(base, testImage(false, 0x6000, SECTIONS)), base, file), null);
    assert.equal(new DataView(bytes().buffer).getUint32(OPTIONAL_HEADER + 28, true), 0x40_0000);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['UNSUPPORTED'],
    );
  });

  it("says why an image cannot be rebuilt: Volatility's checks, nothing written before the headers pass", async () => {
    const base = 0x10_0000n;
    const cases: [string, Uint8Array, RegExp, number][] = [];
    const notMz = testImage(true, 0x6000, SECTIONS);
    notMz[0] = 0;
    cases.push(['no MZ', notMz, /e_magic 5A00 is not a valid DOS signature/, 0]);
    const notPe = testImage(true, 0x6000, SECTIONS);
    notPe[E_LFANEW] = 0;
    cases.push(['no PE signature', notPe, /NT header signature/, 0]);
    const huge = testImage(true, 0x6000, SECTIONS);
    new DataView(huge.buffer).setUint32(OPTIONAL_HEADER + 56, 256 * 1024 * 1024 + 1, true);
    cases.push(['SizeOfImage over 256 MiB', huge, /SizeOfImage is too large: 268435457/, 0]);
    const beyond = testImage(true, 0x6000, [...SECTIONS, { name: '.bad', va: 0x7000, vsize: 0x10 }]);
    cases.push(['a section beyond SizeOfImage', beyond, /VirtualAddress \(0x7000\) is beyond SizeOfImage/, 0x6000]);
    const unaligned = testImage(true, 0x6000, SECTIONS);
    new DataView(unaligned.buffer).setUint32(OPTIONAL_HEADER + 32, 0, true);
    cases.push(['SectionAlignment 0', unaligned, /SectionAlignment is 0/, 0x6000]);
    for (const [what, image, why, length] of cases) {
      const { file, bytes } = memoryFile();
      assert.match((await writePeImage({ warn: () => {} }, memoryOf(base, image), base, file)) ?? 'rebuilt', why, what);
      assert.equal(bytes().length, length, what);
    }
  });

  it("dumpPe: the file's name, or Volatility's words with a warning; the host's words where it keeps no files", async () => {
    const base = 0x10_0000n;
    const good = memoryOf(base, testImage(true, 0x6000, SECTIONS));
    const bad = memoryOf(base, new Uint8Array(0x6000));
    const warnings: RunWarning[] = [];
    const ctx = { output: async (name: string) => memoryFile(name).file, warn: (w: RunWarning) => warnings.push(w) };
    assert.equal(await dumpPe(ctx, good, base, 'a.dmp', { what: 'x' }), 'a.dmp');
    assert.equal(await dumpPe(ctx, bad, base, 'b.dmp', { what: 'x' }), PE_DUMP_FAILED);
    assert.equal(await dumpPe(ctx, bad, base, 'c.dmp', { what: 'x', keepName: true }), 'c.dmp');
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['UNREADABLE', 'UNREADABLE'],
    );
    assert.equal(await dumpPe({ warn: () => {} }, good, base, 'd.dmp', { what: 'x' }), NO_HOST_FILES);
  });
});

// ---- The generated Windows image ----

/** The bytes at `va` read through the page tables at `dtb` of the raw image (4-level, large pages, transition PTEs), what is not mapped as zeros. */
function walkRead(image: Uint8Array, dtb: bigint, va: bigint, length: number): Uint8Array {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const physical = (address: bigint): number | undefined => {
    let table = dtb & 0x000f_ffff_ffff_f000n;
    for (const [shift, leafLevel] of [
      [39n, false],
      [30n, true],
      [21n, true],
      [12n, true],
    ] as const) {
      const at = Number(table + ((address >> shift) & 0x1ffn) * 8n);
      if (at + 8 > image.length) return undefined;
      const entry = view.getBigUint64(at, true);
      const transition = shift === 12n && (entry & 0xc01n) === 0x800n;
      if ((entry & 1n) === 0n && !transition) return undefined;
      const frame = entry & 0x000f_ffff_ffff_f000n;
      if (shift === 12n || (leafLevel && (entry & 0x80n) !== 0n)) {
        const mask = (1n << shift) - 1n;
        return Number((frame & ~mask) + (address & mask));
      }
      table = frame;
    }
    return undefined;
  };
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const at = va + BigInt(done);
    const piece = Math.min(length - done, PAGE - Number(at % BigInt(PAGE)));
    const p = physical(at);
    if (p !== undefined && p + piece <= image.length) out.set(image.subarray(p, p + piece), done);
    done += piece;
  }
  return out;
}

type Row = Record<string, Cell>;
async function dumpRun(
  session: Session,
  plugin: string,
  options: PluginOptions,
  dir: string,
): Promise<{ rows: Row[]; warnings: readonly CountedWarning[] }> {
  const out = await NodeOutputDir.at(dir);
  const columns = session.columns(plugin, options).map((c) => c.name);
  const r = session.run(plugin, { ...options, dump: true }, { output: out.create });
  const rows: Row[] = [];
  await untracked(async () => {
    for await (const row of r) rows.push(Object.fromEntries(columns.map((c, i) => [c, row.values[i]!])));
  });
  await out.close();
  return { rows, warnings: r.warnings };
}

const ADDRESS_BITS = 0xffff_ffff_ffffn;
const windows = WINDOWS_KERNELS[0]!;

describe(`--dump on a generated ${windows.name} image`, { skip: windows.skip || pefileMissing }, () => {
  let session: Session;
  let built: Awaited<ReturnType<typeof windowsImage>>;
  let modulesDir: string;
  let modules: Awaited<ReturnType<typeof dumpRun>>;
  before(async () => {
    built = await windowsImage({ size: 24 * 1024 * 1024, seed: 11, isfPath: windows.isfPath });
    session = await openWindowsSession(built.image, { symbolDirs: [windows.symbolDir] });
    modulesDir = mkdtempSync(join(tmpdir(), 'memscope-modules-dump-'));
    modules = await dumpRun(session, 'windows.modules', {}, modulesDir);
  });
  after(() => session.close());

  /** The dump checked against the generator's memory: every byte but the fields rebuilt, which pefile reads back. */
  function checkDump(path: string, dtb: bigint, base: bigint): PefileView {
    const dump = readFileSync(path);
    const parsed = pefile(path);
    assert.equal(dump.length, parsed.sizeOfImage);
    const memory = walkRead(built.image, dtb, base, dump.length);
    const nt = new DataView(memory.buffer).getUint32(0x3c, true);
    const rebuilt = new Set<number>();
    for (let i = 0; i < 8; i++) rebuilt.add(nt + 24 + 24 + i); // ImageBase
    parsed.sections.forEach((_, s) => {
      const at = nt + 24 + new DataView(memory.buffer).getUint16(nt + 20, true) + s * 40;
      for (const field of [8, 16, 20]) for (let i = 0; i < 4; i++) rebuilt.add(at + field + i);
    });
    const differing = [...dump.keys()].filter((i) => dump[i] !== memory[i] && !rebuilt.has(i));
    assert.deepEqual(differing, [], 'bytes other than the rebuilt fields are those in memory');
    assert.equal(BigInt(parsed.imageBase), base);
    for (const s of parsed.sections) {
      assert.equal(s.raw, s.va, `${s.name}: its raw data where it lies in memory`);
      assert.equal(s.sha256, sha256(walkRead(built.image, dtb, base + BigInt(s.va), s.rawSize)), s.name);
    }
    return parsed;
  }

  it('modules --dump writes the kernel and tcpip.sys (the images the generator maps), named as Volatility 3 names them', async () => {
    const { expected } = built;
    const mapped = new Set([BigInt(expected.kernel.base), BigInt(expected.netstat!.tcpip.base)]);
    assert.deepEqual(modules.warnings, []);
    for (const m of expected.kernelModules.modules.filter((x) => x.linked)) {
      const row = modules.rows.find((r) => r['Base'] === BigInt(m.base))!;
      const base = BigInt(m.base) & ADDRESS_BITS;
      const name = `${m.path.slice(m.path.lastIndexOf('\\') + 1)}.${hex(BigInt(m.offset) & ADDRESS_BITS)}.${hex(base)}.dmp`;
      assert.equal(row['File output'], mapped.has(BigInt(m.base)) ? name : `Cannot find a viable session layer for ${hex(base)}`, m.name);
    }
    assert.equal(readdirSync(modulesDir).length, mapped.size);
  });

  it("the kernel's dump: memory's bytes, the generator's sections and entry point as pefile reads them", async () => {
    const { expected } = built;
    const file = modules.rows.find((r) => r['Base'] === BigInt(expected.kernel.base))!['File output'] as string;
    const parsed = checkDump(join(modulesDir, file), BigInt(expected.kernel.dtb), BigInt(expected.kernel.base));
    const isf = await loadIsf(windows.isfPath);
    const truth = kernelSections(isf, ENTRY_SYMBOL);
    assert.equal(parsed.sizeOfImage, truth.sizeOfImage);
    assert.equal(parsed.entry, isf.symbolRva(ENTRY_SYMBOL));
    assert.deepEqual(
      parsed.sections.map((s) => [s.name, s.va, s.vsize, s.rawSize]),
      truth.sections.map((s) => [s.name, s.rva, roundUp(s.size, PAGE), roundUp(s.size, PAGE)]),
    );
  });

  it("a driver's dump (tcpip.sys): memory's bytes, its header as pefile reads it", async () => {
    const { expected } = built;
    const tcpip = expected.kernelModules.modules.find((m) => BigInt(m.base) === BigInt(expected.netstat!.tcpip.base))!;
    const file = modules.rows.find((r) => r['Base'] === BigInt(tcpip.base))!['File output'] as string;
    const parsed = checkDump(join(modulesDir, file), BigInt(expected.kernel.dtb), BigInt(tcpip.base));
    assert.equal(parsed.sizeOfImage, Number(tcpip.size));
  });

  it('dlllist --dump writes dnsrslvr.dll (the DLL whose headers the generator writes whole); the others, headers cut short, fail', async () => {
    const { expected } = built;
    const dns = expected.dnsCache!;
    const process = expected.processes.find((p) => p.pid === dns.pid)!;
    const dir = mkdtempSync(join(tmpdir(), 'memscope-dlllist-dump-'));
    const { rows, warnings } = await dumpRun(session, 'windows.dlllist', { pid: [dns.pid] }, dir);
    const dlls = process.dlls!.filter((d) => d.inLoad);
    assert.equal(rows.length, dlls.length);
    const named = (d: (typeof dlls)[number]) =>
      `pid.${dns.pid}.${d.path.slice(d.path.lastIndexOf('\\') + 1)}.${hex(BigInt(d.entry))}.${hex(BigInt(d.base))}.dmp`;
    const dll = dlls.find((d) => d.name === 'dnsrslvr.dll')!;
    for (const d of dlls) {
      const row = rows.find((r) => r['Base'] === BigInt(d.base))!;
      assert.equal(row['File output'], d === dll ? named(d) : PE_DUMP_FAILED, d.name);
    }
    assert.equal(warnings.length, dlls.length - 1);
    const parsed = checkDump(join(dir, named(dll)), BigInt(process.dtb), BigInt(dll.base));
    assert.equal(parsed.sizeOfImage, dll.size);
  });

  it("pslist --dump names each executable's file as Volatility 3 does: <PID>.<ImageFileName>.<base>.dmp, even when the image is not readable", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-pslist-dump-'));
    const { rows, warnings } = await dumpRun(session, 'windows.pslist', {}, dir);
    let named = 0;
    for (const p of built.expected.processes.filter((x) => x.linked)) {
      const row = rows.find((r) => r['PID'] === p.pid)!;
      const image = p.dlls?.[0];
      assert.equal(row['File output'], image ? `${p.pid}.${p.name.slice(0, 14)}.${hex(BigInt(image.base))}.dmp` : PE_DUMP_FAILED, p.name);
      if (image) named++;
    }
    // The generator keeps each executable's first page behind a prototype PTE: not one image is readable.
    assert.equal(warnings.filter((w) => /DOS header is not readable/.test(w.message)).length, named);
  });

  it(
    "is what Volatility 3's modules, modscan and dlllist --dump write, but for a driver's ImageBase: Volatility writes the 48 bits its layer keeps",
    { skip: volatilitySkipReason() },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'memscope-vol-pe-'));
      writeSymbolPack(dir, built.symbols);
      writeFileSync(join(dir, 'image.raw'), built.image);
      extractVolatilitySource(dir);
      mkdirSync(join(dir, 'cache'));
      const volatility = async (out: string, ...args: string[]) => {
        mkdirSync(out);
        const common = [
          '--offline',
          '-q',
          '-r',
          'json',
          '--cache-path',
          join(dir, 'cache'),
          '-s',
          join(dir, 'symbols'),
          '-o',
          out,
          '-f',
          join(dir, 'image.raw'),
        ];
        const r = await run(PYTHON, [join(dir, 'volatility3/vol.py'), ...common, ...args]);
        assert.equal(r.code, 0, r.stderr.slice(-2000));
      };
      const compare = (theirsDir: string, oursDir: string) => {
        const names = readdirSync(theirsDir).sort();
        assert.deepEqual(names, readdirSync(oursDir).sort());
        for (const name of names) {
          const [theirs, ours] = [readFileSync(join(theirsDir, name)), readFileSync(join(oursDir, name))];
          assert.equal(theirs.length, ours.length, name);
          const imageBase = ours.readUInt32LE(0x3c) + 24 + 24;
          const base = ours.readBigUInt64LE(imageBase);
          assert.equal(theirs.readBigUInt64LE(imageBase), base & ADDRESS_BITS, name);
          theirs.writeBigUInt64LE(base, imageBase);
          assert.equal(sha256(theirs), sha256(ours), name);
        }
        return names.length;
      };
      await volatility(join(dir, 'modules'), 'windows.modules', '--dump');
      assert.equal(compare(join(dir, 'modules'), modulesDir), 2);
      await volatility(join(dir, 'modscan'), 'windows.modscan', '--dump');
      const modscanDir = mkdtempSync(join(tmpdir(), 'memscope-modscan-dump-'));
      await dumpRun(session, 'windows.modscan', {}, modscanDir);
      assert.equal(compare(join(dir, 'modscan'), modscanDir), 2);
      // Only dnsrslvr.dll: on the other DLLs' headers (SectionAlignment 0) Volatility's reconstruct divides by zero and the run fails.
      const pid = built.expected.dnsCache!.pid;
      await volatility(join(dir, 'dlllist'), 'windows.dlllist', '--pid', String(pid), '--name', 'dnsrslvr', '--dump');
      const ours = mkdtempSync(join(tmpdir(), 'memscope-dlllist-dnsrslvr-'));
      await dumpRun(session, 'windows.dlllist', { pid: [pid], name: 'dnsrslvr' }, ours);
      assert.equal(compare(join(dir, 'dlllist'), ours), 1);
    },
  );
});
