import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemscopeError } from '../../src/errors.ts';
import type { PhysicalLayer, PhysicalRun } from '../../src/layers/physical-layer.ts';
import { instantiateMemscopeWasm } from '../../src/layers/wasm-module.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import { planChunks } from '../../src/scan/chunk-plan.ts';
import { scanPhysical } from '../../src/scan/scan-physical.ts';
import { createScanner, type ScanHit, type ScanSpec } from '../../src/scan/scanner.ts';

const wasm = await instantiateMemscopeWasm(await loadWasmBytesNode());

/** Deterministic bytes (xorshift32). */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The obvious search: every offset, every pattern, in order. */
function naiveScan(bytes: Uint8Array, base: number, spec: ScanSpec): ScanHit[] {
  const hits: ScanHit[] = [];
  const patterns = spec.kind === 'tags' ? spec.tags.map((t) => (typeof t === 'string' ? ascii(t) : t)) : spec.patterns;
  const alignment = spec.kind === 'tags' ? (spec.alignment ?? 16) : 1;
  const offset = spec.kind === 'tags' ? (spec.offset ?? 4) : 0;
  for (let p = 0; p < bytes.length; p++) {
    if ((base + p) % alignment !== offset) continue;
    patterns.forEach((pattern, index) => {
      if (p + pattern.length > bytes.length) return;
      for (let k = 0; k < pattern.length; k++) if (bytes[p + k] !== pattern[k]) return;
      hits.push({ pattern: index, address: base + p });
    });
  }
  return hits;
}

const TAGS = [
  ...['Proc', 'Thre', 'File', 'Mute', 'Driv', 'Even', 'Toke', 'Sema', 'Key ', 'Sect', 'Mdl ', 'Vad ', 'Irp ', 'Wait', 'Ntf\0', 'AlIn'],
  ...[
    'TcpL',
    'TcpE',
    'TTcb',
    'UdpA',
    'Ipnb',
    'MmLd',
    'Symb',
    'Muta',
    'CM10',
    'Pro\xe3',
    'Thr\xe5',
    'Fil\xe5',
    'Dri\xf6',
    'Mut\xe1',
    'Sym\xe2',
    'Cont',
  ],
];

test('aligned tags: 1, 4, 16, 17 and 32 tags against the naive search, planted at edges and off-alignment', () => {
  const base = 0x1234_5678; // base % 16 == 8: alignment is relative to the physical address
  const bytes = randomBytes(1 << 16, 7);
  const plant = (at: number, tag: string) => bytes.set(ascii(tag), at);
  const firstAligned = (4 - (base % 16) + 16) % 16; // offset 12
  plant(firstAligned, 'Proc');
  plant(bytes.length - 16 + firstAligned, 'Thre'); // last aligned slot
  plant(bytes.length - 4, 'File'); // the very end, misaligned
  plant(0, 'Proc'); // the very start, misaligned
  for (let i = 0; i < 600; i++) plant(firstAligned + 16 * ((i * 7919) % 4000), TAGS[i % TAGS.length]!);
  for (let i = 0; i < 50; i++) plant(firstAligned + 1 + 16 * ((i * 104729) % 4000), TAGS[i % 4]!); // off by one: no hit
  for (const count of [1, 4, 16, 17, 32]) {
    const spec: ScanSpec = { kind: 'tags', tags: TAGS.slice(0, count) };
    const expected = naiveScan(bytes, base, spec);
    assert.ok(expected.length > 10, `planted hits for ${count} tags`);
    const scanner = createScanner(wasm, spec);
    assert.deepEqual(scanner.scanChunk(bytes, base), expected, `${count} tags`);
    scanner.dispose();
  }
});

test('tags with other alignments, a Uint8Array tag and a repeated tag value', () => {
  const bytes = randomBytes(20_000, 11);
  for (let i = 0; i < 200; i++) bytes.set(ascii(i % 2 ? 'ABCD' : 'WXYZ'), (i * 97) % 19_990);
  const specs: ScanSpec[] = [
    { kind: 'tags', tags: ['ABCD', 'WXYZ'], alignment: 8, offset: 0 },
    { kind: 'tags', tags: [ascii('WXYZ')], alignment: 1, offset: 0 },
    { kind: 'tags', tags: ['ABCD', 'ABCD', 'WXYZ'], alignment: 4, offset: 3 },
    { kind: 'tags', tags: ['ABCD', 'WXYZ'], alignment: 24, offset: 20 },
  ];
  for (const spec of specs) {
    const scanner = createScanner(wasm, spec);
    const expected = naiveScan(bytes, 4096 + 5, spec);
    assert.ok(expected.length > 3, 'planted hits');
    assert.deepEqual(scanner.scanChunk(bytes, 4096 + 5), expected, JSON.stringify(spec));
    scanner.dispose();
  }
});

test('byte signatures: 1 and 4 patterns, overlapping occurrences, start and end', () => {
  const bytes = randomBytes(50_000, 3);
  const patterns = [ascii('MZ'), ascii('\0\0\0\x01\0\0'), ascii('abab'), randomBytes(64, 99)];
  bytes.set(ascii('MZ'), 0);
  bytes.set(ascii('ababab'), 1000); // two overlapping hits
  bytes.set(ascii('aaaabababab'), 2000);
  bytes.set(patterns[3]!, 3000);
  bytes.set(patterns[3]!, bytes.length - 64); // ends at the last byte
  bytes.set(ascii('\0\0\0\x01\0\0\0\x01\0\0'), 4000); // overlapping, zero-heavy
  bytes.set(ascii('MZ'), bytes.length - 2);
  for (let i = 0; i < 100; i++) bytes.set(ascii('MZab'), 5000 + i * 401);
  for (const spec of [
    { kind: 'bytes', patterns: patterns.slice(0, 1) },
    { kind: 'bytes', patterns },
    { kind: 'bytes', patterns: [...patterns, ascii('ab'), ascii('aba'), ascii('MZa')] }, // shared prefixes
  ] satisfies ScanSpec[]) {
    const expected = naiveScan(bytes, 0x10_0000, spec);
    assert.ok(expected.length >= 100, 'planted hits');
    const scanner = createScanner(wasm, spec);
    assert.deepEqual(scanner.scanChunk(bytes, 0x10_0000), expected, `${spec.patterns.length} patterns`);
    scanner.dispose();
  }
});

test('byte signatures across internal windows and short inputs', () => {
  const pattern = randomBytes(40, 5);
  const bytes = randomBytes(10_000, 8);
  // Every window boundary (capacity 1000) gets an occurrence straddling it at a different offset.
  for (let w = 1; w < 10; w++) bytes.set(pattern, w * 1000 - (w * 4 + 1));
  const spec: ScanSpec = { kind: 'bytes', patterns: [pattern, pattern.slice(0, 2)] };
  const scanner = createScanner(wasm, spec, { chunkCapacity: 1000 });
  assert.equal(scanner.overlap, 39);
  const expected = naiveScan(bytes, 0, spec);
  assert.ok(expected.filter((h) => h.pattern === 0).length >= 9, 'planted hits');
  assert.deepEqual(scanner.scanChunk(bytes, 0), expected);
  for (const n of [0, 1, 2, 17, 40]) {
    const short = bytes.subarray(3000 - 36, 3000 - 36 + n);
    assert.deepEqual(scanner.scanChunk(short, 7), naiveScan(short, 7, spec), `length ${n}`);
  }
  scanner.dispose();
});

test('a limit reports only hits starting before it, using the bytes after it as context', () => {
  const pattern = ascii('signature');
  const scanner = createScanner(wasm, { kind: 'bytes', patterns: [pattern] });
  const straddling = randomBytes(4096, 21);
  straddling.set(pattern, 1000 - 4);
  assert.deepEqual(scanner.scanChunk(straddling, 50_000, 1000), [{ pattern: 0, address: 50_000 + 996 }]);
  const atLimit = randomBytes(4096, 21);
  atLimit.set(pattern, 1000);
  assert.deepEqual(scanner.scanChunk(atLimit, 50_000, 1000), []);
  assert.deepEqual(scanner.scanChunk(atLimit, 50_000, 1001), [{ pattern: 0, address: 51_000 }]);
  scanner.dispose();
});

test('hit buffer overflow resumes without losing or repeating hits', () => {
  const bytes = new Uint8Array(5000).fill(0x41); // "AAAA..." everywhere
  for (const spec of [
    { kind: 'tags', tags: ['AAAA', 'BBBB', 'AAAA'] },
    { kind: 'bytes', patterns: [ascii('AA'), ascii('AAA'), ascii('AB')] },
  ] satisfies ScanSpec[]) {
    const scanner = createScanner(wasm, spec, { hitCapacity: 3, chunkCapacity: 777 });
    const expected = naiveScan(bytes, 96, spec);
    assert.ok(expected.length > 100, 'planted hits');
    assert.deepEqual(scanner.scanChunk(bytes, 96), expected, spec.kind);
    scanner.dispose();
  }
});

test('reading straight into the scanner input view avoids the copy and gives the same hits', () => {
  const spec: ScanSpec = { kind: 'tags', tags: ['Proc', 'Thre'] };
  const scanner = createScanner(wasm, spec, { chunkCapacity: 8192 });
  const source = randomBytes(8192 + 3, 42);
  source.set(ascii('Proc'), 4);
  source.set(ascii('Thre'), 8192 - 12);
  const view = scanner.inputView(source.length);
  assert.equal(view.buffer, wasm.memory.buffer);
  view.set(source);
  assert.deepEqual(scanner.scanChunk(view, 0, 8192), naiveScan(source.subarray(0, 8192), 0, spec));
  assert.throws(
    () => scanner.inputView(8192 + 4),
    (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
  );
  scanner.dispose();
});

test('disposed scanners give their Wasm memory back; a view detached by growth is refused', () => {
  const spec: ScanSpec = { kind: 'bytes', patterns: [ascii('abc')] };
  const probe = createScanner(wasm, spec, { chunkCapacity: 1 << 20 });
  probe.dispose();
  const size = wasm.memory.buffer.byteLength;
  for (let i = 0; i < 50; i++) createScanner(wasm, spec, { chunkCapacity: 1 << 20 }).dispose();
  assert.equal(wasm.memory.buffer.byteLength, size);

  const scanner = createScanner(wasm, spec, { chunkCapacity: 4096 });
  const view = scanner.inputView(100);
  const big = wasm.alloc(wasm.memory.buffer.byteLength); // forces memory.grow
  assert.throws(
    () => scanner.scanChunk(view, 0),
    (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
  );
  const fresh = scanner.inputView(100);
  fresh.fill(0);
  fresh.set(ascii('xxabcx'));
  assert.deepEqual(scanner.scanChunk(fresh, 10), [{ pattern: 0, address: 12 }]);
  wasm.free(big);
  scanner.dispose();
});

test('invalid specs are refused', () => {
  const bad: ScanSpec[] = [
    { kind: 'tags', tags: [] },
    { kind: 'tags', tags: ['Pro'] },
    { kind: 'tags', tags: ['Proc'], alignment: 16, offset: 16 },
    { kind: 'tags', tags: Array(33).fill('Proc') },
    { kind: 'bytes', patterns: Array(17).fill(ascii('MZ')) },
    { kind: 'bytes', patterns: [ascii('A')] },
    { kind: 'bytes', patterns: [new Uint8Array(65)] },
  ];
  for (const spec of bad) {
    assert.throws(
      () => createScanner(wasm, spec),
      (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
      JSON.stringify(spec),
    );
  }
});

test('planChunks: contiguous runs form one stream, chunks overlap within it', () => {
  const runs: PhysicalRun[] = [
    { start: 0, length: 100, fileOffset: 1000 },
    { start: 100, length: 50, fileOffset: 0 },
    { start: 300, length: 30, fileOffset: 500 },
  ];
  assert.deepEqual(planChunks(runs, 64, 3), [
    { address: 0, length: 64, readLength: 67, pieces: [{ fileOffset: 1000, length: 67 }] },
    {
      address: 64,
      length: 64,
      readLength: 67,
      pieces: [
        { fileOffset: 1064, length: 36 },
        { fileOffset: 0, length: 31 },
      ],
    },
    { address: 128, length: 22, readLength: 22, pieces: [{ fileOffset: 28, length: 22 }] },
    { address: 300, length: 30, readLength: 30, pieces: [{ fileOffset: 500, length: 30 }] },
  ]);
});

/** A layer whose runs sit out of order in the file, two of them physically adjacent. */
function scatteredLayer(phys: Uint8Array, runs: PhysicalRun[]): PhysicalLayer {
  const file = new Uint8Array(Math.max(...runs.map((r) => r.fileOffset + r.length)));
  for (const r of runs) file.set(phys.subarray(r.start, r.start + r.length), r.fileOffset);
  return {
    format: 'test',
    source: { name: 'scattered.bin', size: file.length, read: async (o, n) => file.slice(o, o + n) },
    runs,
    size: phys.length,
    capturedBytes: runs.reduce((n, r) => n + r.length, 0),
    notes: [],
    warnings: [],
    read: async (a, n) => phys.slice(a, a + n),
  };
}

test('scanPhysical finds matches across chunk and run boundaries exactly once, in address order', async () => {
  const phys = randomBytes(300_000, 77);
  phys.fill(0, 150_000, 200_000); // a hole
  const runs: PhysicalRun[] = [
    { start: 0, length: 70_001, fileOffset: 180_000 },
    { start: 70_001, length: 79_999, fileOffset: 0 }, // physically adjacent to the first run
    { start: 200_000, length: 100_000, fileOffset: 80_000 },
  ];
  const sig = randomBytes(24, 1234);
  const tagAt: number[] = [];
  for (const at of [0, 70_001 - 10, 70_001 - 24, 70_001, 16_384 - 5, 32_768 - 23, 149_976, 200_000, 299_976]) phys.set(sig, at);
  for (let a = 4; a < 300_000; a += 16 * 331) if (a < 150_000 || a >= 200_000) tagAt.push(a);
  tagAt.push(16_384 + 4, 70_000 + 4 - 16 * 0, 299_996);
  for (const a of tagAt) phys.set(ascii('Proc'), a);
  const layer = scatteredLayer(phys, runs);
  const segments = [
    [0, 150_000],
    [200_000, 300_000],
  ] as const;
  for (const spec of [
    { kind: 'bytes', patterns: [sig, ascii('Proc')] },
    { kind: 'tags', tags: ['Proc'] },
  ] satisfies ScanSpec[]) {
    const expected = segments.flatMap(([s, e]) => naiveScan(phys.subarray(s, e), s, spec));
    const progress: [number, number][] = [];
    const hits: ScanHit[] = [];
    for await (const h of scanPhysical(layer, wasm, spec, { chunkSize: 16_384, onProgress: (d, t) => progress.push([d, t]) })) {
      hits.push(h);
    }
    assert.ok(expected.length > 30, 'planted hits');
    assert.deepEqual(hits, expected, spec.kind);
    assert.deepEqual(progress.at(-1), [250_000, 250_000]);
  }
});

test('scanPhysical stops when cancelled', async () => {
  const layer = scatteredLayer(randomBytes(100_000, 1), [{ start: 0, length: 100_000, fileOffset: 0 }]);
  const controller = new AbortController();
  const spec: ScanSpec = { kind: 'tags', tags: ['Proc'] };
  let chunks = 0;
  await assert.rejects(
    (async () => {
      const options = { chunkSize: 16_384, signal: controller.signal, onProgress: () => ++chunks === 2 && controller.abort() };
      for await (const _ of scanPhysical(layer, wasm, spec, options)) void _;
    })(),
    (e) => isMemscopeError(e) && e.code === 'CANCELLED',
  );
  assert.equal(chunks, 2);
});
