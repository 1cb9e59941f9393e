import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { containerFormats, openImage } from '../../src/formats/detect.ts';
import { elfCoreFormat } from '../../src/formats/elf-core.ts';
import { limeFormat } from '../../src/formats/lime.ts';
import { CachedSource } from '../../src/io/block-cache.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PhysicalRun } from '../../src/layers/physical-layer.ts';
import { normalizeRuns, RunMappedLayer } from '../../src/layers/run-mapped-layer.ts';
import { concat } from '../fixtures/windows/encoding.ts';
import { buildLime, limeHeader, type LimeRange } from '../helpers/lime-writer.ts';

// ---------- builders for synthetic containers (layouts from the ELF and LiME specifications) ----------

/** Bytes whose value encodes their own position and a tag, so any misplaced byte shows. */
function pattern(length: number, tag: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + tag * 31 + (i >> 8)) & 0xff);
}

interface Note {
  name: string;
  type: number;
  desc: Uint8Array;
}
interface Load {
  paddr: number;
  data: Uint8Array;
  memsz?: number;
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

function noteBytes(notes: readonly Note[]): Uint8Array {
  return concat(
    notes.map(({ name, type, desc }) => {
      const nameBytes = new TextEncoder().encode(`${name}\0`);
      const out = new Uint8Array(12 + pad4(nameBytes.length) + pad4(desc.length));
      const view = new DataView(out.buffer);
      view.setUint32(0, nameBytes.length, true);
      view.setUint32(4, desc.length, true);
      view.setUint32(8, type, true);
      out.set(nameBytes, 12);
      out.set(desc, 12 + pad4(nameBytes.length));
      return out;
    }),
  );
}

interface ElfSpec {
  loads: Load[];
  notes?: Note[];
  /** Overrides written into the header after layout. */
  eType?: number;
  elfClass?: number;
  phnum?: number;
  /** Section header 0 at the end of the file with this sh_info (for PN_XNUM). */
  xnumCount?: number;
}

/** ELF64 little-endian core: header, program headers (PT_NOTE first), notes, then each PT_LOAD's data. */
function buildElfCore(spec: ElfSpec): { file: Uint8Array; dataOffsets: number[]; noteOffset: number } {
  const notes = noteBytes(spec.notes ?? []);
  const phCount = spec.loads.length + 1;
  const noteOffset = 64 + 56 * phCount;
  const dataOffsets: number[] = [];
  let at = noteOffset + notes.length;
  for (const load of spec.loads) {
    dataOffsets.push(at);
    at += load.data.length;
  }
  const shoff = at;
  const file = new Uint8Array(at + (spec.xnumCount === undefined ? 0 : 64));
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, spec.elfClass ?? 2, 1, 1]);
  view.setUint16(16, spec.eType ?? 4, true);
  view.setUint16(18, 62, true); // EM_X86_64
  view.setUint32(20, 1, true);
  view.setBigUint64(32, 64n, true);
  if (spec.xnumCount !== undefined) {
    view.setBigUint64(40, BigInt(shoff), true);
    view.setUint32(shoff + 44, spec.xnumCount, true);
  }
  view.setUint16(52, 64, true);
  view.setUint16(54, 56, true);
  view.setUint16(56, spec.phnum ?? phCount, true);
  const phdr = (index: number, type: number, offset: number, paddr: number, filesz: number, memsz: number) => {
    const p = 64 + 56 * index;
    view.setUint32(p, type, true);
    view.setBigUint64(p + 8, BigInt(offset), true);
    view.setBigUint64(p + 16, 0n, true); // p_vaddr = 0, as QEMU writes it
    view.setBigUint64(p + 24, BigInt(paddr), true);
    view.setBigUint64(p + 32, BigInt(filesz), true);
    view.setBigUint64(p + 40, BigInt(memsz), true);
  };
  phdr(0, 4, noteOffset, 0, notes.length, notes.length);
  spec.loads.forEach((load, i) => {
    phdr(i + 1, 1, dataOffsets[i]!, load.paddr, load.data.length, load.memsz ?? load.data.length);
    file.set(load.data, dataOffsets[i]!);
  });
  file.set(notes, noteOffset);
  return { file, dataOffsets, noteOffset };
}

const open = (bytes: Uint8Array, name: string) => openImage(new MemorySource(bytes, name));

// ---------- ELF ----------

describe('ELF core', () => {
  const low = pattern(0x3000, 1);
  const high = pattern(0x1000, 2);
  const vmcoreinfo = new TextEncoder().encode('OSRELEASE=6.1.0-test\nPAGESIZE=4096\n');
  const prstatus = pattern(5, 3); // a length that needs padding
  const spec: ElfSpec = {
    loads: [
      { paddr: 0x0, data: low },
      { paddr: 0x10000, data: high, memsz: 0x2000 },
    ],
    notes: [
      { name: 'CORE', type: 1, desc: prstatus },
      { name: 'VMCOREINFO', type: 0, desc: vmcoreinfo },
    ],
  };
  const { file, dataOffsets, noteOffset } = buildElfCore(spec);

  it('maps PT_LOADs by p_paddr, with holes and the p_memsz tail reading as zeros', async () => {
    const layer = await open(file, 'guest.elf');
    assert.equal(layer.format, 'elf');
    assert.deepEqual(layer.runs, [
      { start: 0, length: 0x3000, fileOffset: dataOffsets[0] },
      { start: 0x10000, length: 0x1000, fileOffset: dataOffsets[1] },
    ]);
    assert.equal(layer.size, 0x12000);
    assert.equal(layer.capturedBytes, 0x4000);
    assert.deepEqual(layer.warnings, []);
    const expected = concat([low.subarray(0x2f00), new Uint8Array(0x10000 - 0x3000), high, new Uint8Array(0x100)]);
    assert.deepEqual(await layer.read(0x2f00, expected.length), expected);
    assert.deepEqual(await layer.read(0x11800, 16), new Uint8Array(16));
    assert.deepEqual(await layer.read(0x50000, 16), new Uint8Array(16));
  });

  it('parses the notes with 4-byte padding', async () => {
    const layer = await open(file, 'guest.elf');
    assert.deepEqual(
      layer.notes.map((n) => [n.name, n.type, [...n.desc]]),
      [
        ['CORE', 1, [...prstatus]],
        ['VMCOREINFO', 0, [...vmcoreinfo]],
      ],
    );
  });

  it('sorts PT_LOADs listed out of address order', async () => {
    const reversed = buildElfCore({ loads: [...spec.loads].reverse() });
    const layer = await open(reversed.file, 'reversed.elf');
    assert.deepEqual(
      layer.runs.map((r) => [r.start, r.fileOffset]),
      [
        [0, reversed.dataOffsets[1]],
        [0x10000, reversed.dataOffsets[0]],
      ],
    );
    assert.deepEqual(await layer.read(0x10000, 0x1000), high);
  });

  it('clips overlapping PT_LOADs with a warning (the lower-starting one wins)', async () => {
    const a = pattern(0x2000, 4);
    const b = pattern(0x2000, 5);
    const overlapping = buildElfCore({
      loads: [
        { paddr: 0x1000, data: b },
        { paddr: 0x0, data: a },
      ],
    });
    const layer = await open(overlapping.file, 'overlap.elf');
    assert.deepEqual(layer.runs, [
      { start: 0, length: 0x2000, fileOffset: overlapping.dataOffsets[1] },
      { start: 0x2000, length: 0x1000, fileOffset: overlapping.dataOffsets[0]! + 0x1000 },
    ]);
    assert.match(layer.warnings.join('\n'), /1 overlapping/);
    assert.deepEqual(await layer.read(0, 0x3000), concat([a, b.subarray(0x1000)]));
  });

  it('reads the program header count from section header 0 when e_phnum is PN_XNUM', async () => {
    const xnum = buildElfCore({ ...spec, phnum: 0xffff, xnumCount: 3 });
    const layer = await open(xnum.file, 'many.elf');
    assert.equal(layer.runs.length, 2);
    assert.equal(layer.notes.length, 2);
    await rejectsWith(open(buildElfCore({ ...spec, phnum: 0xffff }).file, 'nosh.elf'), 'CORRUPT', 'nosh.elf', 'PN_XNUM');
  });

  describe('truncated at several cut points', () => {
    const cut = (at: number) => open(file.subarray(0, at), 'cut.elf');

    it('inside e_ident or the ELF header → TRUNCATED', async () => {
      await rejectsWith(cut(10), 'TRUNCATED', 'cut.elf', 'ELF header');
      await rejectsWith(cut(63), 'TRUNCATED', 'cut.elf', 'ELF header');
    });

    it('inside the program header table → TRUNCATED', async () => {
      await rejectsWith(cut(64 + 56 + 10), 'TRUNCATED', 'cut.elf', 'program header table');
    });

    it('before any memory data (inside the notes) → TRUNCATED', async () => {
      await rejectsWith(cut(noteOffset + 8), 'TRUNCATED', 'cut.elf', 'before any');
    });

    it('inside the first PT_LOAD → partial layer, the later segment missing, with a warning counting the bytes', async () => {
      const at = dataOffsets[0]! + 0x1800;
      const layer = await cut(at);
      assert.deepEqual(layer.runs, [{ start: 0, length: 0x1800, fileOffset: dataOffsets[0] }]);
      const missing = 0x3000 - 0x1800 + 0x1000;
      assert.match(layer.warnings.join('\n'), new RegExp(`2 PT_LOAD segment\\(s\\) incomplete, ${missing} bytes`));
      assert.deepEqual(await layer.read(0x1700, 0x200), concat([low.subarray(0x1700, 0x1800), new Uint8Array(0x100)]));
      assert.equal(layer.size, 0x12000);
      assert.equal(layer.notes.length, 2);
    });

    it('inside the last PT_LOAD → partial layer, the tail reading as zeros', async () => {
      const layer = await cut(file.length - 0x100);
      assert.deepEqual(layer.runs.at(-1), { start: 0x10000, length: 0xf00, fileOffset: dataOffsets[1] });
      assert.match(layer.warnings.join('\n'), /1 PT_LOAD segment\(s\) incomplete, 256 bytes/);
      assert.deepEqual(await layer.read(0x10ef0, 0x20), concat([high.subarray(0xef0, 0xf00), new Uint8Array(0x10)]));
    });
  });

  it('refuses a bogus program header count', async () => {
    const huge = file.slice();
    new DataView(huge.buffer).setUint16(56, 0xfffe, true);
    await rejectsWith(open(huge, 'huge.elf'), 'TRUNCATED', 'huge.elf', '65534 entries');
    await rejectsWith(open(buildElfCore({ ...spec, phnum: 0 }).file, 'none.elf'), 'CORRUPT', 'none.elf', 'no program headers');
    await rejectsWith(open(buildElfCore({ ...spec, phnum: 0xffff, xnumCount: 0x7fffffff }).file, 'xnum.elf'), 'CORRUPT', 'implausible');
  });

  it('refuses ELF files that are not little-endian ELF64 cores, saying why', async () => {
    await rejectsWith(open(buildElfCore({ ...spec, eType: 2 }).file, 'prog'), 'UNSUPPORTED', 'prog', 'not a core dump');
    await rejectsWith(open(buildElfCore({ ...spec, elfClass: 1 }).file, 'old.elf'), 'UNSUPPORTED', '32-bit');
    const bigEndian = file.slice();
    bigEndian[5] = 2;
    await rejectsWith(open(bigEndian, 'be.elf'), 'UNSUPPORTED', 'big-endian');
  });

  it('keeps the notes before one that runs past its segment, with a warning', async () => {
    const broken = file.slice();
    const secondNote = noteOffset + 12 + pad4(5) + pad4(5);
    new DataView(broken.buffer).setUint32(secondNote + 4, 0x100000, true);
    const layer = await open(broken, 'badnote.elf');
    assert.deepEqual(
      layer.notes.map((n) => n.name),
      ['CORE'],
    );
    assert.match(layer.warnings.join('\n'), /note 1 .* cut off or corrupt/);
  });

  it('rates an ELF core above everything and a non-ELF at zero', () => {
    assert.equal(elfCoreFormat.probe(file.subarray(0, 64), file.length), 1);
    assert.equal(elfCoreFormat.probe(new Uint8Array(64), 64), 0);
  });
});

// ---------- LiME ----------

describe('LiME', () => {
  const ranges: LimeRange[] = [
    { start: 0x0, data: pattern(0x1000, 6) },
    { start: 0x5000, data: pattern(0x2000, 7) },
    { start: 0x100000, data: pattern(0x1000, 8) },
  ];
  const file = buildLime(ranges);
  // Each range's data follows its own 32-byte header.
  const dataOffsets = [32, 32 + 0x1000 + 32, 32 + 0x1000 + 32 + 0x2000 + 32];

  it('maps each range after its header; gaps read as zeros', async () => {
    const layer = await open(file, 'mem.lime');
    assert.equal(layer.format, 'lime');
    assert.deepEqual(
      layer.runs,
      ranges.map((r, i) => ({ start: r.start, length: r.data.length, fileOffset: dataOffsets[i] })),
    );
    assert.equal(layer.size, 0x101000);
    assert.equal(layer.capturedBytes, 0x4000);
    const expected = concat([ranges[0]!.data.subarray(0xf00), new Uint8Array(0x4000), ranges[1]!.data.subarray(0, 0x100)]);
    assert.deepEqual(await layer.read(0xf00, expected.length), expected);
    assert.deepEqual(await layer.read(0x100000, 0x1000), ranges[2]!.data);
  });

  it('cut inside a range → partial layer with the missing bytes counted', async () => {
    const layer = await open(file.subarray(0, dataOffsets[1]! + 0x800), 'cut.lime');
    assert.deepEqual(layer.runs.at(-1), { start: 0x5000, length: 0x800, fileOffset: dataOffsets[1] });
    assert.match(layer.warnings.join('\n'), new RegExp(`1 range\\(s\\) incomplete, ${0x2000 - 0x800} bytes`));
    assert.equal(layer.size, 0x7000);
  });

  it('cut inside a header → the ranges before it, with a warning', async () => {
    const layer = await open(file.subarray(0, dataOffsets[2]! - 10), 'cut.lime');
    assert.equal(layer.runs.length, 2);
    assert.match(layer.warnings.join('\n'), /file ends inside it/);
  });

  it('cut inside the first header or right after it → TRUNCATED', async () => {
    await rejectsWith(open(file.subarray(0, 20), 'cut.lime'), 'TRUNCATED', 'cut.lime', 'first LiME range header');
    await rejectsWith(open(file.subarray(0, 32), 'cut.lime'), 'TRUNCATED', 'cut.lime', 'before any');
  });

  it('ignores trailing bytes that are not a header, with a warning', async () => {
    const layer = await open(concat([file, pattern(100, 9)]), 'junk.lime');
    assert.equal(layer.runs.length, 3);
    assert.match(layer.warnings.join('\n'), /no valid LiME range header at file offset 0x4060 .* last 100 bytes/);
  });

  it('sorts unsorted ranges and clips overlapping ones with a warning', async () => {
    const a = pattern(0x2000, 10);
    const b = pattern(0x2000, 11);
    const layer = await open(
      buildLime([
        { start: 0x9000, data: b },
        { start: 0x8000, data: a },
      ]),
      'overlap.lime',
    );
    assert.deepEqual(layer.runs, [
      { start: 0x8000, length: 0x2000, fileOffset: 32 + 0x2000 + 32 },
      { start: 0xa000, length: 0x1000, fileOffset: 32 + 0x1000 },
    ]);
    assert.match(layer.warnings.join('\n'), /1 overlapping/);
    assert.deepEqual(await layer.read(0x8000, 0x3000), concat([a, b.subarray(0x1000)]));
  });

  it('refuses a first header whose end lies below its start', async () => {
    await rejectsWith(open(concat([limeHeader(0x2000, 0x1000), pattern(64, 1)]), 'bad.lime'), 'CORRUPT', 'bad.lime', 'below its start');
  });

  it('probes by magic and version', () => {
    assert.equal(limeFormat.probe(file.subarray(0, 32), file.length), 1);
    assert.equal(limeFormat.probe(limeHeader(0, 1, 0x12345678), 32), 0);
  });
});

// ---------- detection ----------

describe('openImage', () => {
  it('lists the registered formats', () => {
    assert.deepEqual(
      containerFormats.map((f) => f.id),
      ['elf', 'lime', 'avml', 'snappy', 's2', 'crashdump', 'kdump', 'aff4', 'vmware', 'hiberfil', 'raw'],
    );
  });

  it('opens anything else of at least a page as raw memory, file offset = physical address', async () => {
    const bytes = concat([pattern(0x2000, 12), new Uint8Array(0x3000)]);
    const layer = await open(bytes, 'padded.raw');
    assert.equal(layer.format, 'raw');
    assert.deepEqual(layer.runs, [{ start: 0, length: 0x5000, fileOffset: 0 }]);
    assert.deepEqual(await layer.read(0x1ff0, 0x20), bytes.subarray(0x1ff0, 0x2010));
  });

  it('reads through a block cache unless told not to', async () => {
    const source = new MemorySource(new Uint8Array(0x2000), 'zeros.raw');
    assert.ok((await openImage(source)).source instanceof CachedSource);
    assert.equal((await openImage(source, { cache: false })).source, source);
  });

  it('refuses an empty file and one smaller than a page, naming it', async () => {
    await rejectsWith(open(new Uint8Array(0), 'empty.raw'), 'UNKNOWN_FORMAT', 'empty.raw', 'empty');
    await rejectsWith(open(pattern(100, 13), 'tiny.bin'), 'UNKNOWN_FORMAT', 'tiny.bin', 'smaller than one');
  });

  it('refuses compressed archives, telling the user to decompress first', async () => {
    const archives: [string, number[]][] = [
      ['image.raw.xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
      ['image.7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
    ];
    for (const [name, magic] of archives) {
      const bytes = pattern(0x10000, 14);
      bytes.set(magic);
      await rejectsWith(open(bytes, name), 'UNKNOWN_FORMAT', name, 'decompress it first');
    }
  });

  it('refuses memory formats that have no module yet instead of misreading them as raw', async () => {
    const bytes = pattern(0x10000, 15);
    bytes.set(new TextEncoder().encode('PAGEDUMP'));
    await rejectsWith(open(bytes, 'memory.dmp'), 'UNSUPPORTED', 'memory.dmp', '32-bit Windows crash dump');
  });
});

// ---------- RunMappedLayer ----------

describe('RunMappedLayer', () => {
  it('reads like a byte-by-byte reference over many runs and holes', async () => {
    const fileBytes = pattern(0x40000, 16);
    const source = new MemorySource(fileBytes, 'runs.bin');
    let seed = 17;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const runs: PhysicalRun[] = [];
    let address = next(0x100);
    for (let i = 0; i < 200; i++) {
      const length = 1 + next(0x300);
      runs.push({ start: address, length, fileOffset: next(fileBytes.length - length) });
      address += length + next(3) * next(0x200);
    }
    const layer = new RunMappedLayer({ format: 'test', source, runs: [...runs].reverse() });
    const reference = (at: number) => {
      const run = runs.find((r) => at >= r.start && at < r.start + r.length);
      return run ? fileBytes[run.fileOffset + at - run.start]! : 0;
    };
    for (let i = 0; i < 300; i++) {
      const at = next(address + 0x400);
      const length = next(0x800);
      const expected = Uint8Array.from({ length }, (_, k) => reference(at + k));
      assert.deepEqual(await layer.read(at, length), expected, `read ${length} at ${at}`);
    }
  });

  it('rejects runs with invalid numbers or outside the file as CORRUPT', () => {
    const source = new MemorySource(new Uint8Array(100), 'small.bin');
    const corrupt = (run: PhysicalRun) =>
      assert.throws(
        () => normalizeRuns([run], source),
        (e: unknown) => isMemscopeError(e) && e.code === 'CORRUPT' && e.message.includes('small.bin'),
      );
    corrupt({ start: 0, length: 101, fileOffset: 0 });
    corrupt({ start: 0, length: 10, fileOffset: 95 });
    corrupt({ start: -1, length: 10, fileOffset: 0 });
    corrupt({ start: 2 ** 53, length: 10, fileOffset: 0 });
    assert.deepEqual(normalizeRuns([{ start: 5, length: 0, fileOffset: 1000 }], source), { runs: [], warnings: [] });
  });

  it('refuses an invalid read request', async () => {
    const layer = new RunMappedLayer({ format: 'test', source: new MemorySource(new Uint8Array(10), 'x'), runs: [] });
    await assert.rejects(layer.read(-1, 4), (e: unknown) => isMemscopeError(e) && e.code === 'BAD_REQUEST');
  });
});
