// `memscope -f IMAGE image.export -o OUT.raw`: every container memscope reads, written out as a raw image, checked
// against what the images' makers state: the real Linux capture's raw file (its SHA-256 in truth.json) and the AFF4
// reference images' stream hashes (information.turtle).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { reference, symbolicByte } from '../helpers/aff4-reference.ts';
import { hashRange } from '../helpers/file-range-hash.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect, openLinuxSession } from '../helpers/linux-session.ts';
import { needTestData } from '../helpers/need-test-data.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;

function memscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('image.export: the real Linux capture from each container, as the raw capture it was made with', { skip: linuxFixtureSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-export-'));
  const GiB4 = 4 * 1024 * MiB;
  const ROM = 0xfffc0000; // QEMU's BIOS ROM range, 0xfffc0000-0xffffffff, in the ELF core and LiME (not in the raw file)

  for (const capture of ['linux-a.elf', 'linux-a.lime', 'linux-a.kdump'] as const) {
    it(`${capture}: RAM as linux-a.raw (its SHA-256 in truth.json), the rest up to 4 GiB holes left unwritten`, async () => {
      const out = join(dir, `${capture}.raw`);
      const r = memscope('-f', await linuxFixtureFile(capture), 'image.export', '-o', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote .* 4\.0 GiB .* as a raw image/);
      const raw = linuxTruth().files['linux-a.raw']!;
      assert.equal(statSync(out).size, GiB4);
      assert.equal(hashRange(out, 'sha256', [{ offset: 0, length: raw.size }]), raw.sha256);
      // The 3.7 GiB between RAM and the ROM are not written: the file takes about what was captured on disk.
      assert.ok(statSync(out).blocks * 512 < raw.size + 64 * MiB, `${statSync(out).blocks * 512} bytes on disk`);
    });
  }

  it("the BIOS ROM range holds the ELF core's PT_LOAD bytes for it (truth.json's program headers), from each container", async () => {
    const load = linuxTruth().elf_program_headers.find((p) => p.type === 'LOAD' && Number(p.paddr) === ROM);
    assert.ok(load && load.filesz === GiB4 - ROM, 'a PT_LOAD for the ROM');
    const fromElfFile = hashRange(await linuxFixtureFile('linux-a.elf'), 'sha256', [{ offset: Number(load.offset), length: load.filesz }]);
    assert.notEqual(fromElfFile, createHash('sha256').update(Buffer.alloc(load.filesz)).digest('hex'), 'the ROM is not zeros');
    for (const capture of ['linux-a.elf', 'linux-a.lime', 'linux-a.kdump']) {
      assert.equal(hashRange(join(dir, `${capture}.raw`), 'sha256', [{ offset: ROM, length: load.filesz }]), fromElfFile, capture);
    }
  });

  it('--hash states the raw image’s SHA-256, SHA-1 and MD5, holes hashed as zeros', async () => {
    const out = join(dir, 'hashed.raw');
    const r = memscope('-f', await linuxFixtureFile('linux-a.lime'), 'image.export', '-o', out, '--hash');
    assert.equal(r.code, 0, r.stderr);
    const whole = [{ offset: 0, length: GiB4 }];
    for (const [name, algorithm] of [
      ['SHA-256', 'sha256'],
      ['MD5', 'md5'],
    ] as const) {
      assert.equal(new RegExp(`${name} ([0-9a-f]+)`).exec(r.stderr)?.[1], hashRange(out, algorithm, whole), name);
    }
  });
});

describe('image.export of the AFF4 reference images', { skip: needTestData('fixtures/aff4', ['unzip']) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-export-aff4-'));

  for (const name of ['Base-Linear.aff4', 'Base-Allocated.aff4']) {
    it(`${name}: the stream-backed ranges hash to the SHA1 and MD5 the volume states; symbolic ranges hold their patterns`, () => {
      const ref = reference(name);
      const out = join(dir, `${name}.raw`);
      const r = memscope('-f', ref.file, 'image.export', '-o', out);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(statSync(out).size, ref.mapSize);
      const stream = ref.entries
        .filter((e) => e.target === ref.streamUrn)
        .sort((a, b) => a.targetOffset - b.targetOffset)
        .map((e) => ({ offset: e.mapped, length: e.length }));
      assert.equal(hashRange(out, 'sha1', stream), ref.sha1);
      assert.equal(hashRange(out, 'md5', stream), ref.md5);
      const fd = openSync(out, 'r');
      for (const e of ref.entries.filter((x) => x.target !== ref.streamUrn)) {
        const bytes = Buffer.alloc(Math.min(e.length, 64));
        readSync(fd, bytes, 0, bytes.length, e.mapped);
        assert.deepEqual(
          [...bytes],
          [...bytes].map((_, i) => symbolicByte(e.target, e.targetOffset + i)),
          `${e.target} at ${e.mapped}`,
        );
      }
      closeSync(fd);
    });
  }
});

describe('image.export refuses what would lose data or cannot be done', () => {
  let image: string;
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-export-cli-'));
    image = join(dir, 'small.raw');
    writeFileSync(image, Buffer.alloc(2 * MiB, 0x41));
  });

  it('does not overwrite a file unless --force is given', () => {
    const out = `${image}.copy`;
    assert.equal(memscope('-f', image, 'image.export', '-o', out).code, 0);
    const again = memscope('-f', image, 'image.export', '-o', out);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists: memscope does not overwrite it unless --force is given/);
    assert.equal(memscope('-f', image, 'image.export', '-o', out, '--force').code, 0);
    assert.equal(
      hashRange(out, 'sha256', [{ offset: 0, length: 2 * MiB }]),
      createHash('sha256')
        .update(Buffer.alloc(2 * MiB, 0x41))
        .digest('hex'),
    );
  });

  it('asks for -o', () => {
    const r = memscope('-f', image, 'image.export');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /-o FILE/);
  });
});

describe('image.info: the ranges each container holds', { skip: linuxFixtureSkipReason() }, () => {
  for (const capture of ['linux-a.elf', 'linux-a.lime', 'linux-a.raw'] as const) {
    it(`${capture}: the physical ranges the guest had (truth.json), with sizes`, async () => {
      const session = await openLinuxSession(capture);
      const rows = Object.fromEntries((await collect(session, 'image.info')).map((r) => [r.values[0], r.values[1]]));
      await session.close();
      // The raw file holds RAM only; the ELF core and LiME also QEMU's BIOS ROM range.
      const ranges = linuxTruth().physical_ranges.filter((r) => capture !== 'linux-a.raw' || Number(r.start) === 0);
      assert.equal(rows['Captured ranges'], String(ranges.length));
      ranges.forEach((r, i) => assert.match(String(rows[`Range ${i + 1}`]), new RegExp(`^${r.start}-${r.end}, `), `range ${i + 1}`));
      const captured = ranges.reduce((n, r) => n + Number(r.end) - Number(r.start) + 1, 0);
      assert.match(String(rows['Captured']), new RegExp(`\\(${captured.toLocaleString('en-US')} bytes\\)$`));
      assert.equal(rows['Format'], capture.split('.')[1]);
    });
  }
});
