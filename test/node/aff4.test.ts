import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { aff4Format } from '../../src/formats/aff4/aff4.ts';
import { openImage, probeFormats } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { AFF4, FIXTURES, reference, symbolicByte, type Reference } from '../helpers/aff4-reference.ts';
import { writeAff4, zip } from '../helpers/aff4-writer.ts';
import { chunkDecoder } from '../../src/formats/aff4/chunk-codec.ts';
import { needTestData } from '../helpers/need-test-data.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { PYTHON } from '../helpers/volatility.ts';
import { byOffset, byVirtualAddress, processRow } from '../helpers/windows-process-rows.ts';
import { collect, hexBig, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const skip = needTestData('fixtures/aff4', ['unzip']);

async function openReference(ref: Reference): Promise<PhysicalLayer> {
  return openImage(await NodeFileSource.open(ref.file));
}

for (const name of ['Base-Linear.aff4', 'Base-Allocated.aff4']) {
  describe(`AFF4 reference image ${name} (Evimetry 2.2)`, { skip }, () => {
    const ref = reference(name);

    it('is detected as AFF4 and its image stream, read through the layer, has the SHA1 and MD5 the volume states', async () => {
      const layer = await openReference(ref);
      assert.equal(layer.format, 'aff4');
      assert.equal(layer.directMapped, false);
      assert.equal(layer.size, ref.mapSize);
      // The map places every byte of the stream exactly once: reassemble it in stream order from layer reads.
      const pieces = ref.entries.filter((e) => e.target === ref.streamUrn).sort((a, b) => a.targetOffset - b.targetOffset);
      const sha1 = createHash('sha1');
      const md5 = createHash('md5');
      let streamOffset = 0;
      for (const e of pieces) {
        assert.equal(e.targetOffset, streamOffset, 'map entries tile the stream');
        const bytes = await layer.read(e.mapped, e.length);
        sha1.update(bytes);
        md5.update(bytes);
        streamOffset += e.length;
      }
      assert.equal(sha1.digest('hex'), ref.sha1);
      assert.equal(md5.digest('hex'), ref.md5);
      assert.equal(layer.capturedBytes, streamOffset, 'runs cover the ranges backed by the stream');
      await layer.source.close?.();
    });

    it('reads symbolic ranges as their patterns and any map gaps as zeros (aff4:mapGapDefaultStream aff4:Zero)', async () => {
      const layer = await openReference(ref);
      const symbolic = ref.entries.filter((e) => e.target !== ref.streamUrn);
      assert.ok(symbolic.length > 0);
      for (const e of symbolic) {
        const bytes = await layer.read(e.mapped, Math.min(e.length, 64));
        assert.deepEqual(
          bytes,
          Uint8Array.from(bytes, (_, i) => symbolicByte(e.target, e.targetOffset + i)),
          `${e.target} at ${e.mapped}`,
        );
      }
      const sorted = [...ref.entries].sort((a, b) => a.mapped - b.mapped);
      for (let i = 0, end = 0; i <= sorted.length; i++) {
        const next = i < sorted.length ? sorted[i]!.mapped : ref.mapSize;
        if (next > end) {
          assert.ok(
            (await layer.read(end, Math.min(next - end, 1 << 16))).every((b) => b === 0),
            `gap at ${end}`,
          );
        }
        if (i < sorted.length) end = sorted[i]!.mapped + sorted[i]!.length;
      }
      if (name === 'Base-Allocated.aff4') {
        // Evimetry maps the unallocated blocks explicitly to aff4:UnknownData rather than leaving gaps.
        assert.ok(
          symbolic.some((e) => e.target === `${AFF4}UnknownData`),
          'unallocated ranges read as UNKNOWN',
        );
      }
      assert.deepEqual(await layer.read(ref.mapSize, 16), new Uint8Array(16), 'reads past the end are zeros');
      await layer.source.close?.();
    });
  });
}

it('Base-Allocated holds the same bytes as Base-Linear wherever it mapped its stream (same source device)', { skip }, async () => {
  const allocated = reference('Base-Allocated.aff4');
  const [a, l] = await Promise.all([openReference(allocated), openReference(reference('Base-Linear.aff4'))]);
  for (const e of allocated.entries.filter((x) => x.target === allocated.streamUrn)) {
    assert.deepEqual(await a.read(e.mapped, e.length), await l.read(e.mapped, e.length), `range at ${e.mapped}`);
  }
  await a.source.close?.();
  await l.source.close?.();
});

// ---------- hostile input ----------

/** 256 KiB of compressible, position-dependent bytes. */
const SMALL = Uint8Array.from({ length: 256 * 1024 }, (_, i) => `page ${i >> 12} byte ${i & 0xfff}\n`.charCodeAt(i % 20) ?? 0);

/** python-lz4 (Debian python3-lz4) writes the LZ4 blocks the decoder is checked against, independently of lz4js. */
function pythonLz4SkipReason(): string | false {
  try {
    execFileSync(PYTHON, ['-c', 'import lz4.block'], { stdio: 'ignore' });
    return false;
  } catch {
    return process.env['CI'] ? false : 'python3-lz4 is not installed (apt-get install python3-lz4)';
  }
}

describe('AFF4: hostile and foreign input', () => {
  it('a volume written by the independent test writer reads back byte for byte (gaps as zeros)', async () => {
    const ranges = [
      { start: 0, length: 40_000 },
      { start: 100_000, length: 70_000 },
      { start: 200_000, length: SMALL.length - 200_000 },
    ];
    const { bytes } = writeAff4(SMALL, { chunkSize: 4096, chunksInSegment: 8, ranges });
    const layer = await openImage(new MemorySource(bytes, 'small.aff4'));
    const expected = new Uint8Array(SMALL.length);
    for (const r of ranges) expected.set(SMALL.subarray(r.start, r.start + r.length), r.start);
    assert.deepEqual(await layer.read(0, SMALL.length), expected);
    assert.deepEqual(
      layer.runs.map((r) => [r.start, r.length]),
      ranges.map((r) => [r.start, r.length]),
    );
  });

  it('LZ4 chunks (raw blocks, as c-aff4 and Evimetry write them) read back byte for byte', async () => {
    const { bytes } = writeAff4(SMALL, { chunkSize: 4096, chunksInSegment: 8, compression: 'lz4' });
    const layer = await openImage(new MemorySource(bytes, 'lz4.aff4'));
    assert.deepEqual(await layer.read(0, SMALL.length), SMALL);
  });

  it('LZ4 blocks written by python-lz4, raw and size-prefixed, decode to their chunk', { skip: pythonLz4SkipReason() }, async () => {
    const chunk = SMALL.subarray(8192, 8192 + 4096);
    const decode = chunkDecoder('https://code.google.com/p/lz4/')!;
    for (const storeSize of ['False', 'True']) {
      const script = `import sys, lz4.block; sys.stdout.buffer.write(lz4.block.compress(sys.stdin.buffer.read(), store_size=${storeSize}))`;
      const stored = new Uint8Array(execFileSync(PYTHON, ['-c', script], { input: chunk }));
      assert.deepEqual(await decode(stored, 4096), chunk, `store_size=${storeSize}`);
    }
  });

  it('a hostile LZ4 block (a match reaching before the chunk, output past it) → CORRUPT, no hang', async () => {
    const decode = chunkDecoder('https://code.google.com/p/lz4/')!;
    // Token 0xff: 15+ literals then a long match; 0xff length bytes ask for far more than a chunk.
    const hostile = Uint8Array.from([0x1f, 0x41, 0xff, 0xff, ...new Array(64).fill(0xff), 0x00]);
    await assert.rejects(decode(hostile, 4096), /LZ4 block invalid/);
  });

  it('a truncated container → TRUNCATED naming the file', { skip }, async () => {
    const file = await NodeFileSource.open(`${FIXTURES}/Base-Linear.aff4`);
    const bytes = new Uint8Array(await file.read(0, 2_000_000));
    await file.close();
    await rejectsWith(openImage(new MemorySource(bytes, 'cut.aff4')), 'TRUNCATED', 'cut.aff4');
  });

  it('a corrupt chunk → CORRUPT naming the file and the chunk', async () => {
    const { bytes } = writeAff4(SMALL, { chunkSize: 4096, chunksInSegment: 8, corruptChunk: 13 });
    const layer = await openImage(new MemorySource(bytes, 'bad-chunk.aff4'));
    assert.equal((await layer.read(0, 4096)).length, 4096, 'other chunks still read');
    await rejectsWith(layer.read(13 * 4096 + 10, 100), 'CORRUPT', 'bad-chunk.aff4', 'chunk 13');
  });

  it('a map entry pointing beyond its target stream → CORRUPT naming the file', async () => {
    const ranges = [{ start: 0, length: 64 * 1024 }];
    const { bytes } = writeAff4(SMALL, { chunkSize: 4096, ranges, entryBeyondTarget: true });
    await rejectsWith(openImage(new MemorySource(bytes, 'bad-map.aff4')), 'CORRUPT', 'bad-map.aff4', 'beyond its target');
  });

  it('a segment index claiming more chunks than the segment stores → CORRUPT naming the index', async () => {
    const { bytes, streamUrn } = writeAff4(SMALL, { chunkSize: 4096, chunksInSegment: 80, phantomIndexEntries: 3 });
    const layer = await openImage(new MemorySource(bytes, 'bad-index.aff4'));
    await rejectsWith(layer.read(0, 4096), 'CORRUPT', 'bad-index.aff4', `${streamUrn}/00000000.index`);
  });

  it('a ZIP that is not an AFF4 volume is not claimed', async () => {
    const other = zip([['hello.txt', new TextEncoder().encode('hello')]]);
    const padded = new Uint8Array(8192);
    padded.set(other);
    assert.equal(aff4Format.probe(other, other.length), 0);
    assert.ok(!probeFormats(other, other.length).some((m) => m.format.id === 'aff4'));
    await rejectsWith(openImage(new MemorySource(padded, 'notes.zip')), 'UNKNOWN_FORMAT', 'ZIP');
  });
});

// ---------- end to end: a Windows memory image inside AFF4, scanned through the layer ----------

describe('AFF4 memory image end to end', () => {
  it('windows.pslist and windows.psscan on a generated Windows image in an AFF4 map (zero pages left as gaps)', async () => {
    const { image, expected } = await windowsImage({ size: 32 * 1024 * 1024, seed: 7 });
    const ranges: { start: number; length: number }[] = [];
    for (let page = 0; page < image.length; page += 4096) {
      if (image.subarray(page, page + 4096).every((b) => b === 0)) continue;
      const last = ranges[ranges.length - 1];
      if (last && last.start + last.length === page) last.length += 4096;
      else ranges.push({ start: page, length: 4096 });
    }
    assert.ok(ranges.length > 1, 'the image has zero pages to leave out');
    const { bytes } = writeAff4(image, { ranges, chunksInSegment: 64 });
    const session = await openWindowsSession(bytes);
    assert.equal(session.summary.format, 'aff4');
    const linked = expected.processes.filter((p) => p.linked);
    const pslist = await collect(session, 'windows.pslist');
    assert.deepEqual(
      pslist.map((r) => r.values),
      linked.map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
    const psscan = (await collect(session, 'windows.psscan')).sort(byOffset);
    assert.deepEqual(
      psscan.map((r) => r.values),
      byVirtualAddress(expected.processes).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
  });
});
