import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openImage, probeFormats } from '../../src/formats/detect.ts';
import { windowsCrashDumpFormat } from '../../src/formats/windows-crash-dump.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { discoverWindows } from '../../src/os/windows/discovery.ts';
import {
  BITMAP_HEADER,
  bitmapCrashDump,
  DUMP_HEADER_SIZE,
  DUMP_PAGE_SIZE,
  fullCrashDump,
  HEADER64,
  headerFieldsFor,
  MAX_FULL_DUMP_RUNS,
  type DumpHeaderFields,
  type PageRun,
} from '../fixtures/windows/crash-dump.ts';
import { Rng } from '../fixtures/windows/rng.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { byOffset, byVirtualAddress, processRow } from '../helpers/windows-process-rows.ts';
import { collect, collectRun, hexBig, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const PAGE = DUMP_PAGE_SIZE;

const FIELDS: DumpHeaderFields = {
  directoryTableBase: 0x1ad000n,
  psLoadedModuleList: 0xfffff8034a22a2d0n,
  psActiveProcessHead: 0xfffff8034a21e090n,
  kdDebuggerDataBlock: 0xfffff8034a200b20n,
  build: 19041,
  processors: 4,
  systemTime: 0x1da6f3e5c0a3b00n,
  systemUpTime: 0x2540be400n,
};

/** `pages` pages of seeded random bytes, every 5th page and pages 64..127 all zero. */
function syntheticMemory(pages: number, seed: number): Uint8Array {
  const memory = new Uint8Array(pages * PAGE);
  new Rng(seed).fill(memory);
  for (let pfn = 0; pfn < pages; pfn++) if (pfn % 5 === 0 || (pfn >= 64 && pfn < 128)) memory.fill(0, pfn * PAGE, (pfn + 1) * PAGE);
  return memory;
}

/** `memory` with every page outside `present` zeroed: what the dump's layer must read. */
function onlyPresent(memory: Uint8Array, present: readonly PageRun[]): Uint8Array {
  const out = new Uint8Array(memory.length);
  for (const r of present) out.set(memory.subarray(r.firstPage * PAGE, (r.firstPage + r.pageCount) * PAGE), r.firstPage * PAGE);
  return out;
}

const open = (bytes: Uint8Array, name: string) => openImage(new MemorySource(bytes, name), { cache: false });

/** The layer's runs as page runs, physically adjacent runs merged. */
function coveredPages(layer: PhysicalLayer): PageRun[] {
  const out: PageRun[] = [];
  for (const run of layer.runs) {
    const last = out[out.length - 1];
    const firstPage = run.start / PAGE;
    if (last && last.firstPage + last.pageCount === firstPage) out[out.length - 1] = { ...last, pageCount: last.pageCount + run.length / PAGE };
    else out.push({ firstPage, pageCount: run.length / PAGE });
  }
  return out;
}

/** Random whole pages and page-crossing spans (and reads past the end) compare equal to `reference`. */
async function assertReadsLike(layer: PhysicalLayer, reference: Uint8Array, seed: number): Promise<void> {
  const rng = new Rng(seed);
  for (let i = 0; i < 150; i++) {
    const whole = i % 3 === 0;
    const address = whole ? rng.int(0, reference.length / PAGE - 1) * PAGE : rng.int(0, reference.length - 1);
    const length = whole ? PAGE : rng.int(1, 3 * PAGE);
    const expected = new Uint8Array(length);
    expected.set(reference.subarray(address, address + length));
    assert.deepEqual(await layer.read(address, length), expected, `read of ${length} bytes at 0x${address.toString(16)}`);
  }
}

function patchU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
}

function patchU64(bytes: Uint8Array, at: number, value: bigint): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(at, value, true);
  return copy;
}

describe('Windows crash dump (PAGEDU64) container', () => {
  const memory = syntheticMemory(512, 21);
  const runs: PageRun[] = [
    { firstPage: 1, pageCount: 0x9e },
    { firstPage: 0x100, pageCount: 0x80 },
    { firstPage: 0x190, pageCount: 0x70 },
  ];
  const full = fullCrashDump(memory, FIELDS, runs);
  const bitmap = bitmapCrashDump(memory, FIELDS, { present: (pfn) => pfn % 7 !== 3 && memory[pfn * PAGE + 100] !== 0 });

  it('is recognised by its signature ahead of raw; the 32-bit "PAGEDUMP" stays refused', async () => {
    assert.equal(probeFormats(full.bytes.subarray(0, 0x10000), full.bytes.length)[0]!.format, windowsCrashDumpFormat);
    assert.equal(windowsCrashDumpFormat.probe(memory.subarray(0, 0x10000), memory.length), 0);
    const dump32 = full.bytes.slice();
    dump32.set(new TextEncoder().encode('PAGEDUMP'));
    assert.equal(windowsCrashDumpFormat.probe(dump32, dump32.length), 0);
    await rejectsWith(open(dump32, 'x86.dmp'), 'UNSUPPORTED', 'x86.dmp', '32-bit Windows crash dump');
  });

  it('reads a full dump: the header runs, their pages stored in order after the 0x2000-byte header', async () => {
    const layer = await open(full.bytes, 'full.dmp');
    assert.equal(layer.format, 'crashdump');
    assert.deepEqual(coveredPages(layer), full.present);
    assert.equal(layer.capturedBytes, (0x9e + 0x80 + 0x70) * PAGE);
    assert.equal(layer.size, 0x200 * PAGE);
    assert.deepEqual(layer.warnings, []);
    assert.deepEqual(
      layer.runs.map((r) => r.fileOffset),
      [DUMP_HEADER_SIZE, DUMP_HEADER_SIZE + 0x9e * PAGE, DUMP_HEADER_SIZE + (0x9e + 0x80) * PAGE],
    );
    await assertReadsLike(layer, onlyPresent(memory, full.present), 1);
  });

  it('takes full dump runs in header order, not address order', async () => {
    const shuffled = fullCrashDump(memory, FIELDS, [runs[2]!, runs[0]!, runs[1]!]);
    const layer = await open(shuffled.bytes, 'shuffled.dmp');
    assert.deepEqual(coveredPages(layer), full.present);
    await assertReadsLike(layer, onlyPresent(memory, full.present), 2);
  });

  it('reads a bitmap dump: present pages from FirstPage on, absent pages as zeros', async () => {
    const layer = await open(bitmap.bytes, 'bitmap.dmp');
    assert.equal(layer.format, 'crashdump');
    assert.deepEqual(coveredPages(layer), bitmap.present);
    assert.equal(layer.runs.length, bitmap.present.length, 'consecutive present pages coalesce into one run');
    const presentPages = bitmap.present.reduce((n, r) => n + r.pageCount, 0);
    assert.equal(layer.capturedBytes, presentPages * PAGE);
    assert.ok(presentPages < 512 * 0.75, 'the bitmap dump is sparse');
    assert.equal(layer.size, memory.length);
    assert.deepEqual(layer.warnings, []);
    const reference = onlyPresent(memory, bitmap.present);
    assert.notDeepEqual(reference, memory, 'some absent pages hold data in the source memory');
    await assertReadsLike(layer, reference, 3);
  });

  it('accepts both bitmap signatures, SDMP and FDMP', async () => {
    const sdmp = bitmapCrashDump(memory, FIELDS, { signature: 'SDMP' });
    const layer = await open(sdmp.bytes, 'kernel.dmp');
    assert.deepEqual(coveredPages(layer), sdmp.present);
    await assertReadsLike(layer, memory, 4);
  });

  it('hands the header DTB and kernel globals to OS discovery as hints', async () => {
    const layer = await open(full.bytes, 'full.dmp');
    assert.deepEqual(layer.hints, {
      dtb: Number(FIELDS.directoryTableBase),
      psActiveProcessHead: FIELDS.psActiveProcessHead,
      psLoadedModuleList: FIELDS.psLoadedModuleList,
    });
    const pcid = await open(patchU64(full.bytes, HEADER64.directoryTableBase, FIELDS.directoryTableBase | 0x2n), 'pcid.dmp');
    assert.equal(pcid.hints?.dtb, Number(FIELDS.directoryTableBase), 'PCID bits are cleared');
    const filler = await open(patchU64(full.bytes, HEADER64.directoryTableBase, 0x4547415045474150n), 'filler.dmp');
    assert.equal(filler.hints?.dtb, undefined, 'a field left as "PAGE" is no DTB');
  });
});

describe('hostile crash dumps', () => {
  const memory = syntheticMemory(256, 22);
  const runs: PageRun[] = [
    { firstPage: 0, pageCount: 0x40 },
    { firstPage: 0x80, pageCount: 0x80 },
  ];
  const full = fullCrashDump(memory, FIELDS, runs).bytes;
  const bitmap = bitmapCrashDump(memory, FIELDS);
  const firstPage = Number(new DataView(bitmap.bytes.buffer).getBigUint64(DUMP_HEADER_SIZE + BITMAP_HEADER.firstPage, true));

  it('refuses a header cut short as TRUNCATED, naming the file', async () => {
    await rejectsWith(open(full.subarray(0, 0x1800), 'cut.dmp'), 'TRUNCATED', 'cut.dmp', 'crash dump header');
    await rejectsWith(open(bitmap.bytes.subarray(0, DUMP_HEADER_SIZE + 0x20), 'cut2.dmp'), 'TRUNCATED', 'cut2.dmp', 'bitmap dump header');
  });

  it('opens a full dump cut inside its data as a partial layer with a warning', async () => {
    const cutAt = DUMP_HEADER_SIZE + 0x60 * PAGE;
    const layer = await open(full.subarray(0, cutAt), 'partial.dmp');
    assert.equal(layer.capturedBytes, 0x60 * PAGE);
    assert.equal(layer.warnings.length, 1);
    assert.match(layer.warnings[0]!, /truncated.*1 physical memory run\(s\) incomplete/);
    const reference = onlyPresent(memory, [runs[0]!, { firstPage: 0x80, pageCount: 0x20 }]);
    await assertReadsLike(layer, reference, 5);
    await rejectsWith(open(full.subarray(0, DUMP_HEADER_SIZE), 'empty.dmp'), 'TRUNCATED', 'empty.dmp', 'before any of the');
  });

  it('opens a bitmap dump cut inside its data as a partial layer with a warning', async () => {
    const keptPages = 40;
    const layer = await open(bitmap.bytes.subarray(0, firstPage + keptPages * PAGE + 100), 'partial-bmp.dmp');
    assert.equal(layer.capturedBytes, keptPages * PAGE + 100);
    assert.match(layer.warnings[0]!, /truncated/);
    const kept: PageRun[] = [];
    let left = keptPages;
    for (const r of bitmap.present) {
      if (left === 0) break;
      kept.push({ firstPage: r.firstPage, pageCount: Math.min(left, r.pageCount) });
      left -= Math.min(left, r.pageCount);
    }
    const reference = onlyPresent(memory, kept);
    const lastPartial = bitmap.present.flatMap((r) => Array.from({ length: r.pageCount }, (_, i) => r.firstPage + i))[keptPages]!;
    reference.set(memory.subarray(lastPartial * PAGE, lastPartial * PAGE + 100), lastPartial * PAGE);
    await assertReadsLike(layer, reference, 6);
  });

  it('reads as many runs as the header holds, and refuses one more', async () => {
    const many = Array.from({ length: MAX_FULL_DUMP_RUNS }, (_, i) => ({ firstPage: i * 3, pageCount: 2 }));
    const dump = fullCrashDump(memory, FIELDS, many);
    const layer = await open(dump.bytes, 'many.dmp');
    assert.equal(layer.runs.length, MAX_FULL_DUMP_RUNS);
    await assertReadsLike(layer, onlyPresent(memory, many), 7);
    await rejectsWith(
      open(patchU32(dump.bytes, HEADER64.numberOfRuns, MAX_FULL_DUMP_RUNS + 1), 'more.dmp'),
      'CORRUPT',
      'more.dmp',
      `${MAX_FULL_DUMP_RUNS + 1}`,
    );
  });

  it('refuses impossible run counts and run addresses as CORRUPT', async () => {
    await rejectsWith(open(patchU32(full, HEADER64.numberOfRuns, 0x10000), 'runs.dmp'), 'CORRUPT', 'runs.dmp', '65536');
    await rejectsWith(open(patchU32(full, HEADER64.numberOfRuns, 0), 'none.dmp'), 'CORRUPT', 'none.dmp', 'no runs');
    await rejectsWith(open(patchU32(full, HEADER64.numberOfRuns, 0x45474150), 'filler.dmp'), 'CORRUPT', 'filler.dmp', 'PAGE');
    await rejectsWith(open(patchU64(full, HEADER64.runs + 16, 1n << 50n), 'far.dmp'), 'CORRUPT', 'far.dmp', 'run 1');
  });

  it('warns when the declared page totals disagree with the runs or the bitmap', async () => {
    const full2 = await open(patchU64(full, HEADER64.numberOfPages, 7n), 'pages.dmp');
    assert.match(full2.warnings.join('\n'), /declares 7 pages but its runs hold 192/);
    const bmp = await open(patchU64(bitmap.bytes, DUMP_HEADER_SIZE + BITMAP_HEADER.totalPresentPages, 3n), 'present.dmp');
    const marked = bitmap.present.reduce((n, r) => n + r.pageCount, 0);
    assert.match(bmp.warnings.join('\n'), new RegExp(`declares 3 present pages but the bitmap marks ${marked}`));
    assert.equal(bmp.capturedBytes, marked * PAGE);
  });

  it('refuses a bitmap longer than the file, an implausible bitmap and a FirstPage inside the bitmap', async () => {
    const at = DUMP_HEADER_SIZE + BITMAP_HEADER.pages;
    await rejectsWith(open(patchU64(bitmap.bytes, at, BigInt(bitmap.bytes.length * 8 + 64)), 'long.dmp'), 'TRUNCATED', 'long.dmp', 'page bitmap');
    await rejectsWith(open(patchU64(bitmap.bytes, at, 1n << 50n), 'huge.dmp'), 'CORRUPT', 'huge.dmp', 'implausible bitmap size');
    await rejectsWith(open(patchU64(bitmap.bytes, at, 0n), 'zero.dmp'), 'CORRUPT', 'zero.dmp', 'no pages');
    const inside = patchU64(bitmap.bytes, DUMP_HEADER_SIZE + BITMAP_HEADER.firstPage, BigInt(DUMP_HEADER_SIZE + 0x40));
    await rejectsWith(open(inside, 'inside.dmp'), 'CORRUPT', 'inside.dmp', 'inside the header or the page bitmap');
  });

  it('refuses a FirstPage beyond the end of the file as TRUNCATED', async () => {
    const beyond = patchU64(bitmap.bytes, DUMP_HEADER_SIZE + BITMAP_HEADER.firstPage, BigInt(bitmap.bytes.length + PAGE));
    await rejectsWith(open(beyond, 'beyond.dmp'), 'TRUNCATED', 'beyond.dmp', 'before any of the');
    const absurd = patchU64(bitmap.bytes, DUMP_HEADER_SIZE + BITMAP_HEADER.firstPage, 1n << 60n);
    await rejectsWith(open(absurd, 'absurd.dmp'), 'CORRUPT', 'absurd.dmp', 'first page');
  });

  it('refuses a bad bitmap header signature and unsupported dump types', async () => {
    await rejectsWith(open(patchU32(bitmap.bytes, DUMP_HEADER_SIZE, 0x45474150), 'sig.dmp'), 'CORRUPT', 'sig.dmp', 'SDMPDUMP');
    await rejectsWith(open(patchU32(full, HEADER64.dumpType, 4), 'mini.dmp'), 'UNSUPPORTED', 'mini.dmp', 'small memory dump');
    await rejectsWith(open(patchU32(full, HEADER64.dumpType, 9), 'rdmp.dmp'), 'UNSUPPORTED', 'rdmp.dmp', 'kernel and user memory dump');
    await rejectsWith(open(patchU32(full, HEADER64.dumpType, 77), 'odd.dmp'), 'UNSUPPORTED', 'odd.dmp', 'unknown dump type 77');
  });

  it('bounds the work of a huge alternating bitmap whose pages are not in the file', async () => {
    const pages = 1 << 22;
    const bitmapBytes = pages / 8;
    const dataAt = DUMP_HEADER_SIZE + BITMAP_HEADER.bitmap + bitmapBytes;
    const bytes = new Uint8Array(dataAt + 16 * PAGE);
    bytes.set(bitmap.bytes.subarray(0, DUMP_HEADER_SIZE + BITMAP_HEADER.bitmap));
    bytes.fill(0x55, DUMP_HEADER_SIZE + BITMAP_HEADER.bitmap, dataAt);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(DUMP_HEADER_SIZE + BITMAP_HEADER.pages, BigInt(pages), true);
    view.setBigUint64(DUMP_HEADER_SIZE + BITMAP_HEADER.firstPage, BigInt(dataAt), true);
    view.setBigUint64(DUMP_HEADER_SIZE + BITMAP_HEADER.totalPresentPages, BigInt(pages / 2), true);
    const started = performance.now();
    const layer = await open(bytes, 'alternating.dmp');
    assert.ok(performance.now() - started < 5000);
    assert.equal(layer.runs.length, 16, 'only the pages the file holds become runs');
    assert.deepEqual(
      layer.runs.slice(0, 2).map((r) => [r.start, r.length, r.fileOffset]),
      [
        [0, PAGE, dataAt],
        [2 * PAGE, PAGE, dataAt + PAGE],
      ],
    );
    assert.match(layer.warnings[0]!, /truncated/);
  });
});

describe('Windows analysis of crash dumps of generated images', () => {
  const OPTIONS = { size: 32 * 1024 * 1024, seed: 7 };
  const env = createNodeEnv({ symbolDirs: [], cache: false });
  const discoveryMethod = async (layer: PhysicalLayer) => (await discoverWindows(layer, (await env).wasm)).discovery?.method;

  const dumps = async (options: typeof OPTIONS & { lowStub?: boolean }) => {
    const built = await windowsImage(options);
    const fields = headerFieldsFor(built);
    return { built, full: fullCrashDump(built.image, fields), bitmap: bitmapCrashDump(built.image, fields) };
  };

  for (const kind of ['full', 'bitmap'] as const) {
    it(`opens a ${kind} dump: format, DTB and kernel base, pslist and psscan as on the raw image`, async () => {
      const d = await dumps(OPTIONS);
      const { expected } = d.built;
      const session = await openWindowsSession(d[kind].bytes);
      const s = session.summary;
      assert.equal(s.format, 'crashdump');
      assert.equal(s.formatDescription, 'Windows crash dump (64-bit, full or bitmap)');
      assert.equal(s.capturedBytes, d[kind].present.reduce((n, r) => n + r.pageCount, 0) * PAGE);
      if (kind === 'bitmap') assert.ok(s.capturedBytes < expected.image.size / 2, 'zero pages are absent');
      assert.equal(s.dtb, expected.kernel.dtb);
      assert.equal(BigInt(s.kernelBase!), hexBig(expected.kernel.base));
      assert.deepEqual(s.warnings, []);
      assert.equal(await discoveryMethod(session.physical), 'crash-dump-header');

      const pslist = await collect(session, 'windows.pslist');
      assert.deepEqual(
        pslist.map((r) => r.values),
        expected.processes.filter((p) => p.linked).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
      );
      const scan = await collectRun(session, 'windows.psscan');
      const psscan = scan.rows.sort(byOffset);
      assert.deepEqual(
        psscan.map((r) => r.values),
        byVirtualAddress(expected.processes).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
      );
      assert.deepEqual(scan.warnings, []);
    });
  }

  it('finds the DTB from the header of a dump of an image without a low stub', async () => {
    const d = await dumps({ ...OPTIONS, lowStub: false });
    const { expected } = d.built;
    assert.equal(expected.lowStub, null);
    const session = await openWindowsSession(d.bitmap.bytes);
    assert.equal(await discoveryMethod(session.physical), 'crash-dump-header');
    assert.equal(session.summary.dtb, expected.kernel.dtb);
    assert.equal(BigInt(session.summary.kernelBase!), hexBig(expected.kernel.base));
    const rows = await collect(session, 'windows.pslist');
    assert.deepEqual(
      rows.map((r) => r.values),
      expected.processes.filter((p) => p.linked).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
    const psscan = await collect(session, 'windows.psscan');
    assert.equal(psscan.length, expected.processes.length);
  });

  it('validates the header DTB: a wrong one falls back to the low stub', async () => {
    const d = await dumps(OPTIONS);
    const fields = { ...headerFieldsFor(d.built), directoryTableBase: 0x3000n };
    const session = await openWindowsSession(bitmapCrashDump(d.built.image, fields).bytes);
    assert.equal(session.physical.hints?.dtb, 0x3000);
    assert.equal(await discoveryMethod(session.physical), 'low-stub');
    assert.equal(session.summary.dtb, d.built.expected.kernel.dtb);
    assert.equal(BigInt(session.summary.kernelBase!), hexBig(d.built.expected.kernel.base));
  });
});
