import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const skip = linuxFixtureSkipReason();
const PAGE = 4096;
const kinds = ['raw', 'elf', 'lime'] as const;
type Kind = (typeof kinds)[number];

const num = (hex: string) => Number.parseInt(hex, 16);

/** Copies the first `length` bytes of `from` to `to`: a real truncated file. */
async function writePrefix(from: string, to: string, length: number): Promise<void> {
  await pipeline(createReadStream(from, { start: 0, end: length - 1 }), createWriteStream(to));
}

describe('linux-6.1-a: raw, ELF and LiME containers of one real guest', { skip }, () => {
  const paths = {} as Record<Kind, string>;
  const layers = {} as Record<Kind, PhysicalLayer>;
  const sources: NodeFileSource[] = [];

  before(async () => {
    await Promise.all(kinds.map(async (kind) => (paths[kind] = await linuxFixtureFile(`linux-a.${kind}`))));
    for (const kind of kinds) {
      const source = await NodeFileSource.open(paths[kind]);
      sources.push(source);
      layers[kind] = await openImage(source);
    }
  });
  after(() => Promise.all(sources.map((s) => s.close())));

  it('detects each container format', () => {
    for (const kind of kinds) {
      assert.equal(layers[kind].format, kind);
      assert.deepEqual(layers[kind].warnings, [], kind);
    }
  });

  it('raw: one run covering the whole file, the first physical range of the truth', () => {
    const [first] = linuxTruth().physical_ranges;
    const length = num(first!.end) - num(first!.start) + 1;
    assert.equal(linuxTruth().files['linux-a.raw']!.size, length);
    assert.deepEqual(layers.raw.runs, [{ start: num(first!.start), length, fileOffset: 0 }]);
    assert.equal(layers.raw.size, length);
  });

  it('ELF: runs are the PT_LOAD program headers, by p_paddr', () => {
    const loads = linuxTruth().elf_program_headers.filter((h) => h.type === 'LOAD');
    assert.deepEqual(
      layers.elf.runs,
      loads.map((h) => ({ start: num(h.paddr), length: h.filesz, fileOffset: num(h.offset) })),
    );
    const last = loads.at(-1)!;
    assert.equal(layers.elf.size, num(last.paddr) + last.memsz);
    assert.equal(
      layers.elf.capturedBytes,
      loads.reduce((n, h) => n + h.filesz, 0),
    );
  });

  it('LiME: runs are the physical ranges, each after its 32-byte header', () => {
    let fileOffset = 0;
    const expected = linuxTruth().physical_ranges.map((r) => {
      const length = num(r.end) - num(r.start) + 1;
      fileOffset += 32;
      const run = { start: num(r.start), length, fileOffset };
      fileOffset += length;
      return run;
    });
    assert.deepEqual(layers.lime.runs, expected);
    assert.equal(fileOffset, linuxTruth().files['linux-a.lime']!.size);
    assert.equal(layers.lime.size, num(linuxTruth().physical_ranges.at(-1)!.end) + 1);
  });

  it('ELF notes: VMCOREINFO as the truth has it, and QEMU CPU state carrying CR3', () => {
    const truth = linuxTruth();
    const vmcoreinfo = layers.elf.notes.find((n) => n.name === 'VMCOREINFO');
    assert.ok(vmcoreinfo, `notes: ${layers.elf.notes.map((n) => n.name).join(', ')}`);
    const text = new TextDecoder().decode(vmcoreinfo.desc);
    assert.ok(text.includes('OSRELEASE=6.1.0-56-amd64\n'));
    assert.equal(text, truth.vmcoreinfo.text);
    assert.equal(vmcoreinfo.desc.length, truth.vmcoreinfo.note_at_sysfs_phys.descsz);

    assert.ok(
      layers.elf.notes.some((n) => n.name === 'CORE' && n.type === 1),
      'NT_PRSTATUS note',
    );
    const qemu = layers.elf.notes.find((n) => n.name === 'QEMU');
    assert.ok(qemu);
    // QEMUCPUState: version, size, 16 GPRs, rip, rflags, 10 segment records of 24 bytes, then cr[0..4].
    const cr3Offset = 8 + 18 * 8 + 10 * 24 + 3 * 8;
    const cr3 = new DataView(qemu.desc.buffer, qemu.desc.byteOffset).getBigUint64(cr3Offset, true);
    assert.equal(cr3, BigInt(truth.cr3));
  });

  it('reads the VMCOREINFO text at its physical address identically through all three', async () => {
    const { text, note_at_sysfs_phys: note } = linuxTruth().vmcoreinfo;
    for (const kind of kinds) {
      const bytes = await layers[kind].read(num(note.text_phys_offset), note.descsz);
      assert.equal(new TextDecoder().decode(bytes), text, kind);
    }
  });

  it('reads identical bytes through raw, ELF and LiME at random pages and page-crossing spans', async () => {
    let seed = 0x6172;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const reads: [address: number, length: number][] = [];
    for (let i = 0; i < 300; i++) reads.push([(next() % (layers.raw.size / PAGE)) * PAGE, PAGE]);
    for (let i = 0; i < 50; i++) reads.push([next() % (layers.raw.size - 3 * PAGE), 1 + (next() % (3 * PAGE))]);
    let nonZero = 0;
    for (const [address, length] of reads) {
      const [raw, elf, lime] = await Promise.all(kinds.map((k) => layers[k].read(address, length)));
      assert.deepEqual(elf, raw, `ELF at ${address.toString(16)}`);
      assert.deepEqual(lime, raw, `LiME at ${address.toString(16)}`);
      if (raw!.some((b) => b !== 0)) nonZero++;
    }
    assert.ok(nonZero > 50, `only ${nonZero} of the compared reads held data`);
  });

  it('reads the BIOS ROM range identically through ELF and LiME; raw has it as a hole', async () => {
    const bios = linuxTruth().physical_ranges[1]!;
    const length = num(bios.end) - num(bios.start) + 1;
    const [elf, lime, raw] = await Promise.all([layers.elf, layers.lime, layers.raw].map((l) => l.read(num(bios.start), length)));
    assert.deepEqual(elf, lime);
    assert.ok(elf!.some((b) => b !== 0));
    assert.ok(raw!.every((b) => b === 0));
  });

  describe('truncated copies', () => {
    let dir = '';
    before(async () => (dir = await mkdtemp(join(tmpdir(), 'memscope-cut-'))));
    after(() => rm(dir, { recursive: true, force: true }));

    async function openPrefix(kind: Kind, length: number): Promise<{ layer: PhysicalLayer; source: NodeFileSource }> {
      const path = join(dir, `cut-${length}.${kind}`);
      await writePrefix(paths[kind], path, length);
      const source = await NodeFileSource.open(path);
      try {
        return { layer: await openImage(source), source };
      } catch (e) {
        await source.close();
        throw e;
      }
    }

    it('ELF cut inside the program headers or the notes → TRUNCATED naming the file', async () => {
      const [notes] = linuxTruth().elf_program_headers;
      for (const [cut, mention] of [
        [200, 'program header table'],
        [num(notes!.offset) + 100, 'before any'],
      ] as const) {
        await assert.rejects(openPrefix('elf', cut), (e: unknown) => {
          assert.ok(isMemscopeError(e) && e.code === 'TRUNCATED', String(e));
          assert.ok(e.message.includes(`cut-${cut}.elf`) && e.message.includes(mention), e.message);
          return true;
        });
      }
    });

    it('ELF cut halfway → partial layer: the data before the cut, a warning counting what is missing', async () => {
      const fileSize = linuxTruth().files['linux-a.elf']!.size;
      const cut = Math.floor(fileSize / 2);
      const { layer, source } = await openPrefix('elf', cut);
      try {
        const loads = linuxTruth().elf_program_headers.filter((h) => h.type === 'LOAD');
        const kept = cut - num(loads[0]!.offset);
        const missing = loads.reduce((n, h) => n + h.filesz, 0) - kept;
        assert.deepEqual(layer.runs, [{ start: num(loads[0]!.paddr), length: kept, fileOffset: num(loads[0]!.offset) }]);
        assert.match(layer.warnings.join('\n'), new RegExp(`2 PT_LOAD segment\\(s\\) incomplete, ${missing} bytes`));
        const before = kept - PAGE;
        assert.deepEqual(await layer.read(before, PAGE), await layers.raw.read(before, PAGE));
        assert.ok((await layer.read(kept + PAGE, PAGE)).every((b) => b === 0));
        assert.ok(layer.notes.some((n) => n.name === 'VMCOREINFO'));
      } finally {
        await source.close();
      }
    });

    it('LiME cut inside the second range header → the first range, with a warning', async () => {
      const firstEnd = 32 + num(linuxTruth().physical_ranges[0]!.end) + 1;
      const { layer, source } = await openPrefix('lime', firstEnd + 16);
      try {
        assert.equal(layer.runs.length, 1);
        assert.equal(layer.capturedBytes, firstEnd - 32);
        assert.match(layer.warnings.join('\n'), /file ends inside it/);
      } finally {
        await source.close();
      }
    });
  });
});
