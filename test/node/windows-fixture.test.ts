/**
 * Self-checks of the synthetic Windows image generator (test/fixtures/windows). The checks read the image
 * back with code written here — a page walker using the Intel SDM bit layout, PE offsets from the PE/COFF
 * spec, structure offsets looked up directly in the ISF JSON — rather than with the generator's writers.
 */
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import xz from 'xz-decompress';
import type { ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { buildWindowsImage, MiB, writeWindowsImage, type BuiltWindowsImage } from '../fixtures/windows/generate.ts';
import { DEFAULT_ISF_PATH } from '../fixtures/windows/isf.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';

/** The ISF and trimmed packs are read as plain JSON here, on purpose without the generator's types. */
type Json = any;

async function readXzJson(path: string): Promise<Json> {
  const stream = new xz.XzReadableStream(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>);
  return JSON.parse(await new Response(stream).text());
}

/** Offset of a dotted field path inside an ISF user type, straight from the JSON. */
function off(isf: Json, type: string, path: string): number {
  let t = isf.user_types[type];
  let total = 0;
  for (const part of path.split('.')) {
    const f = t.fields[part];
    assert.ok(f, `${type} has no ${path}`);
    total += f.offset;
    t = f.type.kind === 'struct' || f.type.kind === 'union' ? isf.user_types[f.type.name] : undefined;
  }
  return total;
}

const ADDRESS_BITS = 0x000f_ffff_ffff_f000n;
const PRESENT = 1n;
const PAGE_SIZE_BIT = 1n << 7n;
const PROTOTYPE_BIT = 1n << 10n;
const TRANSITION_BIT = 1n << 11n;

class Image {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(pa: bigint | number): number {
    return this.view.getUint8(Number(pa));
  }
  u16(pa: bigint | number): number {
    return this.view.getUint16(Number(pa), true);
  }
  u32(pa: bigint | number): number {
    return this.view.getUint32(Number(pa), true);
  }
  u64(pa: bigint | number): bigint {
    return this.view.getBigUint64(Number(pa), true);
  }

  /** x64 4-level walk; Windows transition PTEs (valid 0, bit 11 set, bit 10 clear) still name their frame. */
  walk(dtb: bigint, va: bigint): { pa: bigint | null; kind: string } {
    let table = dtb & ADDRESS_BITS;
    for (let level = 0; level < 4; level++) {
      const shift = BigInt(39 - 9 * level);
      const entry = this.u64(table + ((va >> shift) & 0x1ffn) * 8n);
      if (!(entry & PRESENT)) {
        if (level < 3 || entry === 0n) return { pa: null, kind: 'not-mapped' };
        if (entry & PROTOTYPE_BIT) return { pa: null, kind: 'prototype' };
        if (entry & TRANSITION_BIT) return { pa: (entry & ADDRESS_BITS) | (va & 0xfffn), kind: 'transition' };
        return { pa: null, kind: 'pagefile' };
      }
      if ((level === 1 || level === 2) && entry & PAGE_SIZE_BIT) {
        const mask = (1n << shift) - 1n;
        return { pa: (entry & ADDRESS_BITS & ~mask) | (va & mask), kind: 'large-page' };
      }
      table = entry & ADDRESS_BITS;
    }
    return { pa: table | (va & 0xfffn), kind: 'page' };
  }

  pa(dtb: bigint, va: bigint): bigint {
    const r = this.walk(dtb, va);
    assert.ok(r.pa !== null, `0x${va.toString(16)} does not translate (${r.kind})`);
    return r.pa;
  }

  readVirtual(dtb: bigint, va: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = va + BigInt(done);
      const n = Math.min(0x1000 - Number(at & 0xfffn), length - done);
      const pa = Number(this.pa(dtb, at));
      out.set(this.bytes.subarray(pa, pa + n), done);
      done += n;
    }
    return out;
  }

  v64(dtb: bigint, va: bigint): bigint {
    return new DataView(this.readVirtual(dtb, va, 8).buffer).getBigUint64(0, true);
  }

  unicodeString(dtb: bigint, va: bigint): string {
    const length = Number(new DataView(this.readVirtual(dtb, va, 2).buffer).getUint16(0, true));
    const buffer = this.v64(dtb, va + 8n);
    return Buffer.from(this.readVirtual(dtb, buffer, length)).toString('utf16le');
  }
}

const NX = 1n << 63n;

/** The final entry (PTE, or PDE/PDPTE of a large page) mapping `va`; assumes the walk reaches one. */
function leafEntry(img: Image, dtb: bigint, va: bigint): bigint {
  let table = dtb;
  for (let level = 0; level < 4; level++) {
    const entry = img.u64(table + ((va >> BigInt(39 - 9 * level)) & 0x1ffn) * 8n);
    if (level === 3 || entry & PAGE_SIZE_BIT) return entry;
    table = entry & ADDRESS_BITS;
  }
  throw new Error('unreachable');
}

/** The NUL-delimited printable text around `at`. */
function asciiAround(image: Uint8Array, at: number): string {
  const printable = (b: number) => b > 0x20 && b < 0x7f;
  let start = at;
  while (start > 0 && printable(image[start - 1]!)) start--;
  let end = at;
  while (end < image.length && printable(image[end]!)) end++;
  return image[start - 1] === 0 && image[end] === 0 ? Buffer.from(image.subarray(start, end)).toString('latin1') : '';
}

function findAll(bytes: Uint8Array, pattern: string): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const needle = Buffer.from(pattern, 'latin1');
  const hits: number[] = [];
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) hits.push(i);
  return hits;
}

/** FILETIME → the ISO form expected.json promises, computed independently of the generator. */
function isoOf(filetime: bigint): string {
  const micros = filetime / 10n - 11_644_473_600_000_000n;
  const d = new Date(Number(micros / 1000n));
  return `${d.toISOString().slice(0, 19)}.${(micros % 1_000_000n).toString().padStart(6, '0')}Z`;
}

/** Section headers of the PE at `base` (PE/COFF layout): name, RVA range and characteristics. */
function sectionTable(img: Image, dtb: bigint, base: bigint): { name: string; rva: number; end: number; characteristics: number }[] {
  const read = (rva: number, n: number): DataView => new DataView(img.readVirtual(dtb, base + BigInt(rva), n).buffer);
  const nt = read(0x3c, 4).getUint32(0, true);
  const first = nt + 24 + read(nt + 20, 2).getUint16(0, true);
  return Array.from({ length: read(nt + 6, 2).getUint16(0, true) }, (_, i) => {
    const h = read(first + i * 40, 40);
    const name = Buffer.from(h.buffer, 0, 8).toString('latin1').replace(/\0+$/, '');
    const rva = h.getUint32(12, true);
    return { name, rva, end: rva + h.getUint32(8, true), characteristics: h.getUint32(36, true) };
  });
}

const IMAGE_SCN_MEM_EXECUTE = 0x2000_0000;
const IMAGE_SCN_MEM_WRITE = 0x8000_0000;
const IMAGE_FILE_MACHINE_I386 = 0x14c;

for (const kernel of WINDOWS_KERNELS)
  describe(`synthetic Windows image generator: ${kernel.name}`, { skip: kernel.skip }, () => {
    const SMALL = { size: 16 * MiB, seed: 5, isfPath: kernel.isfPath };
    let isf: Json;
    let built: BuiltWindowsImage;
    let img: Image;
    let e: ExpectedWindowsImage;
    let dtb: bigint;

    before(async () => {
      isf = await readXzJson(kernel.isfPath);
      built = await buildWindowsImage(SMALL);
      img = new Image(built.image);
      e = built.expected;
      dtb = BigInt(e.kernel.dtb);
    });

    it('is deterministic for a seed and differs between seeds', async () => {
      const again = await buildWindowsImage(SMALL);
      assert.ok(Buffer.from(again.image).equals(Buffer.from(built.image)));
      assert.deepEqual(again.expected, built.expected);
      const other = await buildWindowsImage({ ...SMALL, seed: 6 });
      assert.notEqual(other.expected.kernel.base, e.kernel.base);
      assert.ok(!Buffer.from(other.image).equals(Buffer.from(built.image)));
    });

    it('has a self-referencing PML4 at a randomized kernel index and the kernel entries MemProcFS expects', () => {
      assert.equal(built.image.length, SMALL.size);
      assert.ok(dtb % 0x1000n === 0n && dtb >= 0x1a0000n && dtb < 0x1b0000n);
      const selfRefs: number[] = [];
      let kernelTables = 0;
      for (let i = 0; i < 512; i++) {
        const entry = img.u64(dtb + BigInt(i * 8));
        if (entry & PRESENT && (entry & ADDRESS_BITS) === dtb) selfRefs.push(i);
        else if (i >= 256 && (entry & 0x8000_0000_0000_0087n) === 0x03n) kernelTables++;
        if (i < 256) assert.equal(entry, 0n, 'the System PML4 maps no user space');
      }
      assert.deepEqual(selfRefs, [e.kernel.selfRefIndex]);
      assert.ok(e.kernel.selfRefIndex >= 0x100 && e.kernel.selfRefIndex <= 0x1fe);
      assert.ok(kernelTables >= 6, `${kernelTables} kernel PML4 entries`);
    });

    it('translates every sample address as expected.json says', () => {
      const kinds = new Set<string>();
      for (const t of e.translations) {
        const r = img.walk(BigInt(t.dtb), BigInt(t.virtual));
        assert.equal(r.pa === null ? null : `0x${r.pa.toString(16)}`, t.physical, `${t.what} (${t.virtual})`);
        assert.equal(r.kind, t.kind === 'self-map' ? 'page' : t.kind, t.what);
        kinds.add(t.kind);
      }
      for (const k of ['large-page', 'page', 'transition', 'prototype', 'pagefile', 'not-mapped', 'self-map']) assert.ok(kinds.has(k), k);
    });

    it('sets NX on data pages and not on the kernel code mapping', () => {
      const pte = (va: bigint): bigint => leafEntry(img, dtb, va);
      assert.equal(pte(BigInt(e.kernel.base)) & NX, 0n);
      assert.equal(pte(BigInt(e.kernel.base)) & PAGE_SIZE_BIT, PAGE_SIZE_BIT);
      assert.equal(pte(BigInt(e.processes[0]!.eprocessVirtual)) & NX, NX);
      assert.equal(pte(BigInt(e.kernel.kuserSharedData)) & NX, NX);
    });

    it("cuts the kernel's sections around this ISF: globals in writable data, the entry point in code", () => {
      const base = BigInt(e.kernel.base);
      const sections = sectionTable(img, dtb, base);
      const sectionOf = (rva: number) => sections.find((x) => rva >= x.rva && rva < x.end);
      sections.forEach((x, i) => assert.equal(x.rva, i === 0 ? 0x1000 : sections[i - 1]!.end, `${x.name} follows its predecessor`));
      assert.equal(sections[sections.length - 1]!.end, e.kernel.sizeOfImage);
      assert.ok(sections.some((x) => x.name === 'POOLCODE') && sections.some((x) => x.name === '.text'));
      const symbolRvas = Object.values(isf.symbols).map((x: Json) => x.address as number);
      assert.ok(Math.max(...symbolRvas) < e.kernel.sizeOfImage, 'every ISF symbol lies inside the image');

      const entry = isf.symbols.KiSystemStartup.address;
      assert.ok(sectionOf(entry)!.characteristics & IMAGE_SCN_MEM_EXECUTE, 'entry point in code');
      assert.equal(leafEntry(img, dtb, base + BigInt(entry)) & NX, 0n, 'entry page executable');
      const globals = [
        'NtBuildLab',
        'NtBuildNumber',
        'KeNumberProcessors',
        'ObHeaderCookie',
        'KdVersionBlock',
        'PsLoadedModuleList',
        'ObTypeIndexTable',
        'PsActiveProcessHead',
        'PsInitialSystemProcess',
        'HandleTableListHead',
      ];
      for (const name of globals) {
        const rva = isf.symbols[name].address as number;
        const section = sectionOf(rva)!;
        assert.equal(
          (section.characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_WRITE)) >>> 0,
          IMAGE_SCN_MEM_WRITE,
          `${name} in ${section.name}`,
        );
        const entryBits = leafEntry(img, dtb, base + BigInt(rva));
        assert.equal(entryBits & (NX | 2n), NX | 2n, `${name}'s page is writable and not executable`);
      }
    });

    it('has a low stub that points at the kernel and its DTB, and none when asked not to', async () => {
      const stubs = (bytes: Uint8Array): number[] => {
        const im = new Image(bytes);
        const found: number[] = [];
        for (let pa = 0x1000; pa < 0x100000; pa += 0x1000) {
          if ((im.u64(pa) & 0xffff_ffff_ffff_00ffn) === 0x0000_0001_0006_00e9n) found.push(pa);
        }
        return found;
      };
      assert.deepEqual(stubs(built.image), [Number(e.lowStub!.physical)]);
      const stub = Number(e.lowStub!.physical);
      const lmTarget = img.u64(stub + 0x70);
      assert.equal(lmTarget & 0xffff_f800_0000_0003n, 0xffff_f800_0000_0000n);
      const base = BigInt(e.kernel.base);
      assert.ok(lmTarget > base && lmTarget < base + BigInt(e.kernel.sizeOfImage));
      assert.equal(img.u64(stub + 0xa0), dtb);
      const without = await buildWindowsImage({ ...SMALL, lowStub: false });
      assert.equal(without.expected.lowStub, null);
      assert.deepEqual(stubs(without.image), []);
    });

    it('maps a PE32+ kernel whose RSDS record names the ISF GUID and age', () => {
      const base = BigInt(e.kernel.base);
      assert.equal(base % 0x20_0000n, 0n);
      assert.ok(base >= 0xffff_f800_0000_0000n && base <= 0xffff_f807_ffe0_0000n);
      const read = (rva: number, n: number): Uint8Array => img.readVirtual(dtb, base + BigInt(rva), n);
      const u16 = (rva: number): number => new DataView(read(rva, 2).buffer).getUint16(0, true);
      const u32 = (rva: number): number => new DataView(read(rva, 4).buffer).getUint32(0, true);
      assert.equal(Buffer.from(read(0, 2)).toString('latin1'), 'MZ');
      const nt = u32(0x3c);
      assert.equal(u32(nt), 0x4550);
      assert.equal(u16(nt + 4), 0x8664);
      const opt = nt + 24;
      assert.equal(u16(opt), 0x20b);
      assert.equal(u16(opt + 40), kernel.major, 'MajorOperatingSystemVersion');
      assert.equal(u16(opt + 42), kernel.minor, 'MinorOperatingSystemVersion');
      assert.equal(u32(opt + 16), isf.symbols.KiSystemStartup.address, 'AddressOfEntryPoint');
      assert.equal(u32(opt + 56), e.kernel.sizeOfImage);
      assert.equal(u32(nt + 8), e.kernel.timeDateStamp);
      const debugRva = u32(opt + 0x70 + 6 * 8);
      assert.equal(u32(debugRva + 12), 2, 'IMAGE_DEBUG_TYPE_CODEVIEW');
      const cv = read(u32(debugRva + 20), 24 + 13);
      assert.equal(Buffer.from(cv.subarray(0, 4)).toString('latin1'), 'RSDS');
      // Volatility 3's order: Data1 (u32 LE), Data2, Data3 (u16 LE) printed big-endian, then Data4 as stored.
      const g = cv.subarray(4, 20);
      const hex = (bytes: number[]): string =>
        bytes
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('')
          .toUpperCase();
      const guid = hex([g[3]!, g[2]!, g[1]!, g[0]!, g[5]!, g[4]!, g[7]!, g[6]!, ...g.subarray(8)]);
      assert.equal(guid, isf.metadata.windows.pdb.GUID);
      assert.equal(guid, e.kernel.pdb.guid);
      assert.equal(new DataView(cv.buffer).getUint32(20, true), isf.metadata.windows.pdb.age);
      assert.equal(Buffer.from(cv.subarray(24, 36)).toString('latin1'), 'ntkrnlmp.pdb');
      assert.equal(cv[36], 0);
    });

    it('writes the kernel globals and KUSER_SHARED_DATA at the ISF addresses', () => {
      const base = BigInt(e.kernel.base);
      const sym = (name: string): bigint => base + BigInt(isf.symbols[name].address);
      const cString = (va: bigint): string => {
        const bytes = img.readVirtual(dtb, va, 64);
        return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('latin1');
      };
      assert.equal(cString(sym('NtBuildLab')), e.kernel.ntBuildLab);
      assert.match(e.kernel.ntBuildLab, new RegExp(`^${kernel.build}\\.1\\.amd64fre\\.`));
      assert.equal(cString(sym('NtBuildLabEx')), e.kernel.ntBuildLabEx);
      assert.match(e.kernel.ntBuildLabEx, new RegExp(`^${kernel.build}\\.\\d+\\.amd64fre\\.`));
      assert.equal(Number(img.v64(dtb, sym('NtBuildNumber')) & 0xffff_ffffn), (0xf000_0000 | kernel.build) >>> 0);
      assert.equal(Number(e.kernel.version.ntBuildNumberRaw), (0xf000_0000 | kernel.build) >>> 0);
      const kd = sym('KdVersionBlock');
      assert.equal(kd, BigInt(e.kernel.kdVersionBlock));
      assert.equal(Number(img.v64(dtb, kd + BigInt(off(isf, '_DBGKD_GET_VERSION64', 'MinorVersion'))) & 0xffffn), kernel.build);
      assert.equal(Number(img.v64(dtb, sym('KeNumberProcessors')) & 0xffff_ffffn), e.kernel.keNumberProcessors);
      assert.equal(img.readVirtual(dtb, sym('ObHeaderCookie'), 1)[0], e.kernel.obHeaderCookie);
      assert.equal(img.v64(dtb, sym('PsInitialSystemProcess')), BigInt(e.kernel.psInitialSystemProcess));
      assert.equal(sym('PsActiveProcessHead'), BigInt(e.kernel.psActiveProcessHead));

      const kuser = BigInt(e.kernel.kuserSharedData);
      assert.equal(kuser, 0xffff_f780_0000_0000n);
      const k = (field: string): bigint => kuser + BigInt(off(isf, '_KUSER_SHARED_DATA', field));
      const u32 = (va: bigint): number => Number(img.v64(dtb, va) & 0xffff_ffffn);
      assert.equal(u32(k('NtMajorVersion')), kernel.major);
      assert.equal(u32(k('NtMinorVersion')), kernel.minor);
      assert.equal(u32(k('NtBuildNumber')), kernel.build);
      assert.deepEqual([e.kernel.version.major, e.kernel.version.minor, e.kernel.version.build], [kernel.major, kernel.minor, kernel.build]);
      assert.equal(u32(k('NtProductType')), isf.enums._NT_PRODUCT_TYPE.constants.NtProductWinNt);
      assert.equal(Buffer.from(img.readVirtual(dtb, k('NtSystemRoot'), 22)).toString('utf16le'), 'C:\\Windows\0');
      const low = BigInt(u32(k('SystemTime.LowPart')));
      const high = BigInt(u32(k('SystemTime.High1Time')));
      assert.equal(high, BigInt(u32(k('SystemTime.High2Time'))));
      assert.equal(isoOf((high << 32n) | low), e.kernel.systemTime);
    });

    it('links exactly the pslist-visible processes, Flink and Blink agreeing', () => {
      const links = off(isf, '_EPROCESS', 'ActiveProcessLinks');
      const pidAt = off(isf, '_EPROCESS', 'UniqueProcessId');
      const head = BigInt(e.kernel.psActiveProcessHead);
      const seen: number[] = [];
      let prev = head;
      let entry = img.v64(dtb, head);
      for (let guard = 0; entry !== head; guard++) {
        assert.ok(guard < 10_000, 'list does not return to its head');
        assert.equal(img.v64(dtb, entry + 8n), prev, 'Blink of the next entry is the previous entry');
        seen.push(Number(img.v64(dtb, entry - BigInt(links) + BigInt(pidAt))));
        prev = entry;
        entry = img.v64(dtb, entry);
      }
      assert.equal(img.v64(dtb, head + 8n), prev, 'head Blink is the last entry');
      assert.deepEqual(
        seen,
        e.processes.filter((p) => p.linked).map((p) => p.pid),
      );
      assert.ok(e.processes.some((p) => p.hidden && !p.linked && !p.exited));
      assert.ok(e.processes.some((p) => p.exited && !p.linked));
      assert.ok(e.processes.some((p) => p.wow64));
    });

    it('stores every process as the ISF lays it out, in a well-formed pool block', () => {
      const E = (f: string): number => off(isf, '_EPROCESS', f);
      const bodyAt = off(isf, '_OBJECT_HEADER', 'Body');
      const typeTable = BigInt(e.kernel.obTypeIndexTable);
      for (const [index, name] of Object.entries(e.kernel.objectTypes)) {
        const type = img.v64(dtb, typeTable + BigInt(Number(index) * 8));
        assert.equal(img.unicodeString(dtb, type + BigInt(off(isf, '_OBJECT_TYPE', 'Name'))), name);
        assert.equal(img.u8(img.pa(dtb, type + BigInt(off(isf, '_OBJECT_TYPE', 'Index')))), Number(index));
      }
      // Windows 10 and 11 create Process and Thread as the 6th and 7th types (indexes 7 and 8).
      assert.equal(e.kernel.processTypeIndex, 7);
      assert.equal(e.kernel.objectTypes['7'], 'Process');
      assert.equal(e.kernel.objectTypes['8'], 'Thread');
      // The WoW64 machine lives in _EWOW64PROCESS before Windows 11 and in _EPROCESS.Machine from it on.
      const wow64Machine = (eprocess: bigint): number => {
        if (!isf.user_types._EWOW64PROCESS.fields.Machine) return img.u16(eprocess + BigInt(E('Machine')));
        const block = img.u64(eprocess + BigInt(E('WoW64Process')));
        return img.u16(img.pa(dtb, block + BigInt(off(isf, '_EWOW64PROCESS', 'Machine'))));
      };
      for (const p of e.processes) {
        const va = BigInt(p.eprocessVirtual);
        const pa = BigInt(p.eprocessPhysical);
        assert.equal(img.pa(dtb, va), pa, p.name);
        assert.equal(img.u64(pa + BigInt(E('UniqueProcessId'))), BigInt(p.pid));
        assert.equal(img.u64(pa + BigInt(E('InheritedFromUniqueProcessId'))), BigInt(p.ppid));
        assert.equal(img.u8(pa + BigInt(E('Pcb.Header.Type'))), isf.enums._KOBJECTS.constants.ProcessObject);
        assert.equal(img.u64(pa + BigInt(E('Pcb.DirectoryTableBase'))), BigInt(p.dtb));
        const name = Buffer.from(built.image.subarray(Number(pa) + E('ImageFileName'), Number(pa) + E('ImageFileName') + 15));
        assert.equal(name.subarray(0, name.indexOf(0)).toString('latin1'), p.name);
        assert.ok(p.name.length <= 14);
        assert.equal(isoOf(img.u64(pa + BigInt(E('CreateTime')))), p.createTime);
        const exit = img.u64(pa + BigInt(E('ExitTime')));
        assert.equal(exit === 0n ? null : isoOf(exit), p.exitTime);
        assert.equal(img.u32(pa + BigInt(E('ActiveThreads'))), p.threads);
        assert.equal(img.u64(pa + BigInt(E('WoW64Process'))) !== 0n, p.wow64);
        if (p.wow64) assert.equal(wow64Machine(pa), IMAGE_FILE_MACHINE_I386, `${p.name} is an x86 process`);
        assert.equal(p.exited, p.exitTime !== null && p.threads === 0);

        const pool = BigInt(p.poolHeaderPhysical);
        assert.equal(pool % 16n, 0n);
        assert.equal(Buffer.from(built.image.subarray(Number(pool) + 4, Number(pool) + 8)).toString('latin1'), 'Pro\xe3');
        const blockSize = img.u8(pool + BigInt(off(isf, '_POOL_HEADER', 'BlockSize')));
        assert.ok(pool + BigInt(blockSize * 16) >= pa + BigInt(isf.user_types._EPROCESS.size), 'block holds the body');
        const header = BigInt(p.objectHeaderVirtual);
        assert.equal(header + BigInt(bodyAt), va);
        const stored = img.u8(img.pa(dtb, header + BigInt(off(isf, '_OBJECT_HEADER', 'TypeIndex'))));
        assert.equal(stored ^ e.kernel.obHeaderCookie ^ Number((header >> 8n) & 0xffn), e.kernel.processTypeIndex);

        const audit = img.u64(pa + BigInt(E('SeAuditProcessCreationInfo')));
        assert.equal(audit === 0n ? null : img.unicodeString(dtb, audit), p.auditPath);

        const session = img.u64(pa + BigInt(E('Session')));
        assert.equal(
          session === 0n ? null : Number(img.v64(dtb, session + BigInt(off(isf, '_MM_SESSION_SPACE', 'SessionId'))) & 0xffff_ffffn),
          p.sessionId,
        );
      }
    });

    it('keeps each command line in the process address space (across a transition page where planned)', () => {
      const pebField = off(isf, '_EPROCESS', 'Peb');
      const params = off(isf, '_PEB', 'ProcessParameters');
      let straddles = 0;
      for (const p of e.processes.filter((x) => x.commandLine !== null)) {
        const pdtb = BigInt(p.dtb);
        const peb = img.u64(BigInt(p.eprocessPhysical) + BigInt(pebField));
        const block = img.v64(pdtb, peb + BigInt(params));
        const pebBuild = new DataView(img.readVirtual(pdtb, peb + BigInt(off(isf, '_PEB', 'OSBuildNumber')), 2).buffer).getUint16(0, true);
        assert.equal(pebBuild, kernel.build, 'PEB.OSBuildNumber');
        const cmdField = block + BigInt(off(isf, '_RTL_USER_PROCESS_PARAMETERS', 'CommandLine'));
        assert.equal(img.unicodeString(pdtb, cmdField), p.commandLine, p.name);
        assert.equal(img.unicodeString(pdtb, block + BigInt(off(isf, '_RTL_USER_PROCESS_PARAMETERS', 'ImagePathName'))), p.imagePath);
        const buffer = img.v64(pdtb, cmdField + 8n);
        const end = buffer + BigInt(p.commandLine!.length * 2 - 1);
        if (buffer >> 12n !== end >> 12n && img.walk(pdtb, end).kind === 'transition') straddles++;
        // The kernel half is shared: the EPROCESS reads the same through the process's own DTB.
        assert.equal(img.pa(pdtb, BigInt(p.eprocessVirtual)), BigInt(p.eprocessPhysical));
      }
      assert.ok(straddles >= 1, 'a command line continues in a transition page');
      for (const p of e.processes.filter((x) => x.exited || x.name === 'System' || x.name === 'Registry')) {
        assert.equal(p.commandLine, null);
      }
    });

    it('records its decoys, and every process-like pool tag in the image is explained', () => {
      const kinds = new Set(e.decoys.map((d) => d.kind));
      for (const k of ['misaligned-tag', 'wrong-object-type', 'garbage-body', 'block-too-small', 'object-type-key'])
        assert.ok(kinds.has(k as never), k);
      for (const d of e.decoys) {
        const tag = Buffer.from(built.image.subarray(Number(d.tagPhysical), Number(d.tagPhysical) + 4)).toString('latin1');
        assert.ok(tag === 'Pro\xe3' || tag === 'Proc', d.kind);
        assert.equal(BigInt(d.tagPhysical) - BigInt(d.poolHeaderPhysical), 4n);
        assert.equal(BigInt(d.poolHeaderPhysical) % 16n === 0n, d.kind !== 'misaligned-tag' && d.kind !== 'object-type-key', d.kind);
        if (d.pid !== null) assert.ok(!e.processes.some((p) => p.pid === d.pid));
      }
      const explained = new Set([...e.processes.map((p) => Number(p.poolHeaderPhysical) + 4), ...e.decoys.map((d) => Number(d.tagPhysical))]);
      const hits = [...findAll(built.image, 'Pro\xe3'), ...findAll(built.image, 'Proc')];
      // The kernel's export names (KeNumberProcessors, PsInitialSystemProcess, PsProcessType) hold "Proc" too, as in
      // the real ntoskrnl.
      const inExportName = (h: number): boolean => /^(Ke|Ps)[A-Za-z]*Proc[A-Za-z]*$/.test(asciiAround(built.image, h));
      assert.deepEqual(
        hits.filter((h) => !explained.has(h) && !inExportName(h)),
        [],
      );
      assert.equal(hits.filter((h) => !inExportName(h)).length, explained.size);
    });

    it('ships a trimmed ISF that agrees with the full one', () => {
      const s = built.symbols as Json;
      assert.deepEqual(s.metadata.windows.pdb, isf.metadata.windows.pdb);
      for (const name of [
        'PsActiveProcessHead',
        'PsInitialSystemProcess',
        'ObHeaderCookie',
        'ObTypeIndexTable',
        'NtBuildLab',
        'KeNumberProcessors',
        'KdVersionBlock',
      ]) {
        assert.deepEqual(s.symbols[name], isf.symbols[name], name);
      }
      for (const type of [
        '_EPROCESS',
        '_KPROCESS',
        '_POOL_HEADER',
        '_OBJECT_HEADER',
        '_PEB',
        '_RTL_USER_PROCESS_PARAMETERS',
        '_KUSER_SHARED_DATA',
        '_OBJECT_HEADER_NAME_INFO',
      ]) {
        assert.deepEqual(s.user_types[type], isf.user_types[type], type);
      }
      assert.ok(Object.keys(s.user_types).length < Object.keys(isf.user_types).length / 4);
    });

    it('writes image, expected.json and symbol pack to a directory, identical to the in-memory build', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'memscope-winfixture-'));
      try {
        const w = await writeWindowsImage(dir, { ...SMALL, name: 'sample' });
        assert.equal(w.imagePath, join(dir, 'sample.raw'));
        assert.ok(Buffer.from(readFileSync(w.imagePath)).equals(Buffer.from(built.image)));
        const onDisk = JSON.parse(readFileSync(w.expectedPath, 'utf8')) as ExpectedWindowsImage;
        assert.deepEqual({ ...onDisk, image: { ...onDisk.image, fileName: null } }, e);
        assert.equal(onDisk.image.fileName, 'sample.raw');
        const packName = `${kernel.guid}-${kernel.age}.json${w.symbolsCompressed ? '.xz' : ''}`;
        assert.ok(w.symbolsPath.endsWith(join('symbols', 'windows', 'ntkrnlmp.pdb', packName)), w.symbolsPath);
        const pack = w.symbolsCompressed ? await readXzJson(w.symbolsPath) : JSON.parse(readFileSync(w.symbolsPath, 'utf8'));
        assert.deepEqual(pack, built.symbols);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

describe('synthetic Windows image generator: options', () => {
  const SMALL = { size: 16 * MiB, seed: 5 };

  it('uses the 19041 kernel unless given an ISF', async () => {
    assert.equal(DEFAULT_ISF_PATH, WINDOWS_KERNELS[0]!.isfPath);
    const { expected } = await buildWindowsImage(SMALL);
    assert.equal(expected.kernel.pdb.guid, '606FF669409B00F7FC8C61A9C1670129');
    assert.equal(expected.kernel.version.build, 19041);
  });

  it('refuses a kernel it has no build facts for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memscope-winfixture-'));
    try {
      const isf = (await buildWindowsImage(SMALL)).symbols;
      const unknown = join(dir, 'unknown.json');
      writeFileSync(
        unknown,
        JSON.stringify({ ...isf, metadata: { ...isf.metadata, windows: { pdb: { ...isf.metadata.windows!.pdb, GUID: '0'.repeat(32) } } } }),
      );
      await assert.rejects(buildWindowsImage({ ...SMALL, isfPath: unknown }), /no build facts for kernel PDB 0{32}-1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scales the process count and builds a 64 MiB image quickly', async () => {
    const started = performance.now();
    const big = await buildWindowsImage({ size: 64 * MiB, seed: 9, processes: 60 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(big.image.length, 64 * MiB);
    assert.equal(big.expected.processes.length, 60);
    assert.ok(seconds < 4, `64 MiB took ${seconds.toFixed(2)} s`);
    const few = await buildWindowsImage({ ...SMALL, processes: 15 });
    assert.equal(few.expected.processes.length, 15);
    await assert.rejects(buildWindowsImage({ ...SMALL, processes: 3 }), /process count/);
    await assert.rejects(buildWindowsImage({ size: 15 * MiB }), /multiple of 2 MiB/);
  });
});
