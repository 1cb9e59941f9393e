import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { describeSamples, entropy, sampleMemory } from '../../src/engine/content-sample.ts';
import { openSession, type SessionEnv } from '../../src/engine/session.ts';
import { identifyFileType } from '../../src/formats/file-types.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { collect } from '../helpers/windows-session.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const MiB = 1024 * 1024;
const ascii = (text: string) => new TextEncoder().encode(text);

/** `head` followed by `fill` up to `size` bytes. */
function file(head: Uint8Array, size: number, fill: (n: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(fill(size));
  bytes.set(head);
  return bytes;
}

/** Text that reads like memory rather than noise: words, numbers, zero runs. */
function memoryLike(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = ascii('kernel task_struct /usr/lib/systemd svchost.exe 0x00007ffe12345678 PATH=/bin:/usr/bin ');
  for (let i = 0; i < size; i += 4096) {
    if ((i / 4096) % 3 === 0) continue; // a zero page
    for (let j = 0; j < 4096; j++) bytes[i + j] = words[(i + j * 7) % words.length]!;
  }
  return bytes;
}

let env: SessionEnv;
async function summaryOf(bytes: Uint8Array, name: string) {
  env ??= await createNodeEnv({ symbolDirs: [], cache: false });
  const session = await openSession(new MemorySource(bytes, name), env);
  try {
    return session.summary;
  } finally {
    await session.close();
  }
}

describe('file types named by their first bytes', () => {
  it('recognises PNG, JPEG, GIF, PDF, SQLite and MZ/PE programs; not an MZ without a PE header, nor memory', () => {
    const pe = file(ascii('MZ'), 4096);
    new DataView(pe.buffer).setUint32(0x3c, 0x80, true);
    pe.set(ascii('PE\0\0'), 0x80);
    const cases: [Uint8Array, string | undefined][] = [
      [file(Uint8Array.of(0x89, ...ascii('PNG\r\n'), 0x1a, 0x0a), 64), 'a PNG image'],
      [file(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), 64), 'a JPEG image'],
      [file(ascii('GIF89a'), 64), 'a GIF image'],
      [file(ascii('%PDF-1.7\n'), 64), 'a PDF document'],
      [file(ascii('SQLite format 3\0'), 64), 'an SQLite database'],
      [pe, 'a Windows program or DLL (MZ/PE executable)'],
      [file(ascii('MZ'), 4096), undefined],
      // The real-mode interrupt table at physical 0: segment:offset pairs into the BIOS.
      [file(Uint8Array.of(0x53, 0xff, 0x00, 0xf0, 0x53, 0xff, 0x00, 0xf0), 64), undefined],
      [new Uint8Array(4096), undefined],
    ];
    for (const [head, what] of cases) assert.equal(identifyFileType(head), what, Buffer.from(head.subarray(0, 8)).toString('hex'));
  });
});

describe('content samples', () => {
  it('entropy: 0 bits for one value, exactly 8 for every value equally often, ≥ 7.9 for random bytes', () => {
    assert.equal(entropy(new Uint8Array(65536)), 0);
    assert.equal(entropy(Uint8Array.from({ length: 65536 }, (_, i) => i & 0xff)), 8);
    assert.ok(entropy(randomBytes(65536)) >= 7.9);
    assert.ok(entropy(memoryLike(65536)) < 6);
  });

  it('counts the samples that are all zeros and those that are near-random', () => {
    const d = describeSamples([new Uint8Array(4096), randomBytes(65536), memoryLike(65536)]);
    assert.deepEqual(
      { places: d.places, bytes: d.bytes, zeroPlaces: d.zeroPlaces, randomPlaces: d.randomPlaces, min: d.minEntropy },
      { places: 3, bytes: 4096 + 2 * 65536, zeroPlaces: 1, randomPlaces: 1, min: 0 },
    );
  });

  it('reads at most 2 MiB, at 32 places spread over every run of a 64 GiB image', async () => {
    const reads: [number, number][] = [];
    const layer = {
      runs: [
        { start: 0, length: 640 * 1024 },
        { start: 4 * 1024 * MiB, length: 64 * 1024 * MiB - 640 * 1024 },
      ],
      capturedBytes: 64 * 1024 * MiB,
      read: async (address: number, length: number) => {
        reads.push([address, length]);
        return new Uint8Array(length);
      },
    } as unknown as PhysicalLayer;
    const sample = await sampleMemory(layer);
    assert.equal(sample.places, 32);
    assert.equal(sample.zeroPlaces, 32);
    assert.ok(sample.bytes <= 2 * MiB, `${sample.bytes} bytes`);
    assert.deepEqual(reads[0], [0, 64 * 1024]);
    assert.ok(reads.at(-1)![0] > 60 * 1024 * MiB, 'the last place near the end');
    assert.ok(
      reads.every(([at]) => at < 640 * 1024 || at >= 4 * 1024 * MiB),
      'only inside the runs',
    );
  });
});

describe('the summary of a file in which no OS is found says what it is, and what was checked', () => {
  const checkedBoth = (checked: readonly string[]) => {
    assert.ok(
      checked.some((c) => c.startsWith('no Windows x64 kernel found')),
      checked.join('\n'),
    );
    assert.ok(checked.includes('no Linux VMCOREINFO in memory'), checked.join('\n'));
    assert.ok(
      checked.some((c) => /^content: .* read at \d+ places/.test(c)),
      checked.join('\n'),
    );
  };

  it('all zeros', async () => {
    const s = await summaryOf(new Uint8Array(8 * MiB), 'zeros.raw');
    assert.equal(s.os, null);
    assert.equal(s.noOs?.kind, 'zeros');
    assert.equal(s.noOs.short, 'none: all zeros');
    assert.match(s.noOs.verdict, /^Not a memory capture: every byte read is zero \(2\.0 MiB at all 32 places sampled across the file\)/);
    checkedBoth(s.noOs.checked);
  });

  it('near-random content: encrypted or compressed', async () => {
    const s = await summaryOf(randomBytes(8 * MiB), 'random.bin');
    assert.equal(s.noOs?.kind, 'random');
    assert.match(s.noOs.verdict, /near-random throughout .* encrypted or compressed data/);
    checkedBoth(s.noOs.checked);
  });

  it('a known file type, named', async () => {
    const png = file(Uint8Array.of(0x89, ...ascii('PNG\r\n'), 0x1a, 0x0a), 2 * MiB, (n) => randomBytes(n));
    const s = await summaryOf(png, 'photo.raw');
    assert.equal(s.noOs?.kind, 'file-type');
    assert.equal(s.noOs.short, 'none: a PNG image');
    assert.equal(s.noOs.verdict, 'Not a memory capture: its first bytes are those of a PNG image.');
  });

  it('a plugin asked to run on it fails saying what the file is', async () => {
    env ??= await createNodeEnv({ symbolDirs: [], cache: false });
    const session = await openSession(new MemorySource(new Uint8Array(8 * MiB), 'zeros.raw'), env);
    try {
      await rejectsWith(
        collect(session, 'linux.pslist'),
        'OS_NOT_FOUND',
        'no Linux VMCOREINFO in memory. Not a memory capture: every byte read is zero',
      );
    } finally {
      await session.close();
    }
  });

  it('data that could be memory: no OS memscope knows, and what was checked', async () => {
    const s = await summaryOf(memoryLike(8 * MiB), 'unknown.raw');
    assert.equal(s.noOs?.kind, 'unrecognised');
    assert.equal(s.noOs.short, 'none found');
    assert.match(s.noOs.verdict, /^No operating system found: no Windows or Linux kernel/);
    assert.deepEqual(s.noOs.found, []);
    checkedBoth(s.noOs.checked);
  });
});

describe('a real Linux capture cut short: "truncated", what was still found, and no contradiction', { skip: linuxFixtureSkipReason() }, () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'memscope-no-os-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  async function cutSummary(capture: string, length: number) {
    const path = join(dir, `cut-${capture}`);
    await pipeline(createReadStream(await linuxFixtureFile(capture), { start: 0, end: length - 1 }), createWriteStream(path));
    env ??= await createNodeEnv({ symbolDirs: [], cache: false });
    const session = await openSession(await NodeFileSource.open(path), env);
    try {
      return session.summary;
    } finally {
      await session.close();
    }
  }

  const release = () => (linuxTruth()['kernel'] as { release: string }).release;

  /** The OS line, the verdict, the lists and the warnings tell one story: nowhere "not identified" beside "found". */
  function oneStory(s: Awaited<ReturnType<typeof cutSummary>>): void {
    assert.equal(s.os, null);
    assert.ok(s.noOs?.short.startsWith('none readable'), s.noOs?.short);
    assert.ok(!s.warnings.some((w) => w.includes(`Linux ${release()} found`)), `the OS seen is said once, as found: ${s.warnings.join('\n')}`);
  }

  it('ELF core cut in half: truncated, and the Linux kernel it still names', async () => {
    const s = await cutSummary('linux-a.elf', Math.floor(linuxTruth().files['linux-a.elf']!.size / 2));
    oneStory(s);
    assert.equal(s.noOs?.kind, 'truncated');
    assert.match(
      s.noOs.verdict,
      /^Truncated capture: the file ends before all the memory it declares\. What is left still shows an operating system/,
    );
    assert.equal(s.noOs.found.length, 1);
    assert.match(s.noOs.found[0]!, new RegExp(`^Linux ${release()} found \\(VMCOREINFO at container note\\)`));
    assert.ok(s.warnings.some((w) => w.startsWith('file is truncated')));
  });

  it('LiME cut at 16 MiB: truncated, and nothing of the kernel left', async () => {
    const s = await cutSummary('linux-a.lime', 16 * MiB);
    assert.equal(s.noOs?.kind, 'truncated');
    assert.match(s.noOs.verdict, /no operating system kernel was found in the part that is left/);
    assert.deepEqual(s.noOs.found, []);
  });
});
