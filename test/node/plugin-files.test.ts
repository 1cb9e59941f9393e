// Files plugins write (PluginContext.output): the names every host gives them (hostile names stay inside the output
// folder), the CLI's folder, and their users — on the real Linux capture linux.pagecache.InodePages --dump, byte for
// byte what Volatility 3's own InodePages --dump writes on the ISF memscope exports, and linux.elfs --dump, each image
// what Volatility writes where it reads the right addresses (the vDSO) and the page cache's file where it does not;
// on a generated Windows image windows.malfind --dump and windows.vadinfo --dump, the planted injected code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { numberedName, safeFileName } from '../../src/engine/output-file-name.ts';
import type { Session } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { NodeOutputDir } from '../../src/node/node-output-dir.ts';
import { readInode } from '../../src/os/linux/inode.ts';
import { kernelIsfText } from '../../src/os/linux/isf-export.ts';
import type { CachedPage, InodeInfo, OutputFile, PhysicalMemory, VirtualMemory } from '../../src/plugins/api.ts';
import { NO_HOST_FILES } from '../../src/plugins/common/file-output.ts';
import { loadSegments } from '../../src/plugins/linux/elf-dump.ts';
import { InodeDump } from '../../src/plugins/linux/inode-dump.ts';
import type { Cell, CountedWarning, PluginOptions, RunWarning } from '../../src/plugins/plugin.ts';
import { MEMSCOPE_VERSION } from '../../src/version.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
import { untracked } from '../helpers/untracked.ts';
import { extractVolatilitySource, PYTHON, run, volatilitySkipReason } from '../helpers/volatility.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 4096;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('names of the files plugins write', () => {
  it('keep no folder, control character, leading dot or device name, and are never empty or overlong', () => {
    const hostile = ['../../etc/passwd', 'a\\b', '..', '.', '.bashrc', 'x\u0000y\u001b[31m', 'trailing. ', 'CON', 'nul.txt', '', 'é/ü', 'C:x'];
    for (const name of [...hostile, `${'a'.repeat(300)}.dmp`]) {
      const safe = safeFileName(name);
      assert.match(safe, /^[A-Za-z0-9\-_.,+=@#~!$%()[\]{} ]+$/, JSON.stringify(name));
      assert.ok(!safe.startsWith('.') && !safe.endsWith('.') && !safe.endsWith(' '), safe);
      assert.ok(safe.length <= 200, safe);
      assert.doesNotMatch(safe, /^(con|nul)(\.|$)/i);
    }
    assert.equal(safeFileName('../../etc/passwd'), '_._.._etc_passwd');
    assert.equal(safeFileName(`${'a'.repeat(300)}.dmp`), `${'a'.repeat(196)}.dmp`);
    assert.equal(safeFileName('inode_0x8e7e028223a0.dmp'), 'inode_0x8e7e028223a0.dmp');
  });

  it('are numbered before the extension when taken, as Volatility 3 does', () => {
    assert.deepEqual(
      [0, 1, 2].map((n) => numberedName('inode_0x1.dmp', n)),
      ['inode_0x1.dmp', 'inode_0x1-1.dmp', 'inode_0x1-2.dmp'],
    );
    assert.equal(numberedName('README', 1), 'README-1');
  });
});

describe('the CLI output folder (NodeOutputDir)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'memscope-output-'))));

  it('creates each file new under its safe name, numbered when taken, inside the folder only', async () => {
    const out = await NodeOutputDir.at(dir);
    writeFileSync(join(dir, 'taken.bin'), 'keep');
    const names = [];
    for (const requested of ['taken.bin', 'taken.bin', '../escape.bin']) {
      const file = await out.create(requested);
      await file.write(new Uint8Array([1, 2, 3]));
      await file.close();
      names.push(file.name);
    }
    assert.deepEqual(names, ['taken-1.bin', 'taken-2.bin', '_._escape.bin']);
    assert.equal(readFileSync(join(dir, 'taken.bin'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(dir).sort(), ['_._escape.bin', 'taken-1.bin', 'taken-2.bin', 'taken.bin']);
  });

  it('writes at offsets and ends the file at the length given: the rest reads as zeros', async () => {
    const out = await NodeOutputDir.at(dir);
    const file = await out.create('holes.bin');
    await file.write(new Uint8Array([7, 7]), 3 * PAGE);
    await file.write(new Uint8Array([8]));
    await file.close(5 * PAGE);
    const bytes = readFileSync(join(dir, 'holes.bin'));
    assert.equal(bytes.length, 5 * PAGE);
    assert.deepEqual([...bytes.subarray(3 * PAGE, 3 * PAGE + 4)], [7, 7, 8, 0]);
    assert.equal(
      bytes.reduce((sum, b) => sum + b, 0),
      22,
    );
  });

  it('closes the files a run left open; refuses a folder that does not exist', async () => {
    const out = await NodeOutputDir.at(dir);
    const file = await out.create('left-open.bin');
    await file.write(new Uint8Array([9]));
    await out.close();
    assert.deepEqual([...readFileSync(join(dir, 'left-open.bin'))], [9]);
    await file.close(10); // a late close of a file the host closed does nothing
    assert.equal(statSync(join(dir, 'left-open.bin')).size, 1);
    await assert.rejects(NodeOutputDir.at(join(dir, 'missing')), (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST');
  });
});

/** An output file in memory, and the writes it got. */
function memoryFile(): { file: OutputFile; bytes: () => Uint8Array } {
  const writes: [number, Uint8Array][] = [];
  let length: number | undefined;
  const file: OutputFile = {
    name: 'memory.dmp',
    write: async (bytes, at = 0) => void writes.push([at, bytes.slice()]),
    close: async (l) => void (length = l),
  };
  return {
    file,
    bytes: () => {
      const out = new Uint8Array(length ?? 0);
      for (const [at, bytes] of writes) out.set(bytes, at);
      return out;
    },
  };
}

describe('InodeDump (the file InodePages --dump writes)', () => {
  /** Physical memory whose every byte is its page number + 1. */
  const physical = {
    read: async (address: number, length: number) => new Uint8Array(length).fill(address / PAGE + 1),
  } as unknown as PhysicalMemory;
  const inode = { address: 0xffff888000001000n, size: BigInt(2 * PAGE + 100), mapping: 0xffff888000002000n } as InodeInfo;
  const page = (index: number, frame: number, mapping = inode.mapping) =>
    ({ address: 0n, physical: BigInt(frame * PAGE), mapping, index: BigInt(index), flags: [] }) as CachedPage;

  it('puts each cached page at its file offset, holes as zeros, the last page cut at i_size; others left out with a warning', async () => {
    const { file, bytes } = memoryFile();
    const warnings: RunWarning[] = [];
    const dump = new InodeDump({ physical, warn: (w) => warnings.push(w) }, inode, file);
    for (const p of [page(0, 10), page(2, 20), page(3, 30), page(1, 40, 0x1234n)]) await dump.page(p);
    await dump.close();
    const out = bytes();
    assert.equal(out.length, 2 * PAGE + 100);
    assert.ok(out.subarray(0, PAGE).every((b) => b === 11));
    assert.ok(out.subarray(PAGE, 2 * PAGE).every((b) => b === 0));
    assert.ok(out.subarray(2 * PAGE).every((b) => b === 21));
    assert.deepEqual(
      warnings.map((w) => [w.code, /another address_space|past i_size/.exec(w.message)?.[0]]),
      [
        ['SMEAR', 'another address_space'],
        ['SMEAR', 'past i_size'],
      ],
    );
  });
});

/** An ELF header of `elfClass` (1: 32-bit, 2: 64-bit) and type, with PT_LOAD headers of [p_vaddr, p_memsz] (and one PT_NOTE). */
function elfHeader(elfClass: 1 | 2, type: number, loads: readonly [number, number][]): Uint8Array {
  const wide = elfClass === 2;
  const [phoff, entry] = [0x40, wide ? 56 : 32];
  const bytes = Buffer.alloc(phoff + (loads.length + 1) * entry);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, elfClass, 1]);
  bytes.writeUInt16LE(type, 16);
  if (wide) bytes.writeBigUInt64LE(BigInt(phoff), 0x20);
  else bytes.writeUInt32LE(phoff, 0x1c);
  bytes.writeUInt16LE(loads.length + 1, wide ? 0x38 : 0x2c);
  bytes.writeUInt32LE(4, phoff); // PT_NOTE first: not a segment
  loads.forEach(([vaddr, memsz], i) => {
    const at = phoff + (i + 1) * entry;
    bytes.writeUInt32LE(1, at);
    if (wide) {
      bytes.writeBigUInt64LE(BigInt(vaddr), at + 0x10);
      bytes.writeBigUInt64LE(BigInt(memsz), at + 0x28);
    } else {
      bytes.writeUInt32LE(vaddr, at + 8);
      bytes.writeUInt32LE(memsz, at + 0x14);
    }
  });
  return bytes;
}

/** A process space holding `bytes` at `base` and nothing else. */
const spaceWith = (base: bigint, bytes: Uint8Array) =>
  ({
    read: async (address: bigint, length: number) =>
      address >= base && address + BigInt(length) <= base + BigInt(bytes.length)
        ? bytes.slice(Number(address - base), Number(address - base) + length)
        : null,
  }) as VirtualMemory;

describe('the segments linux.elfs --dump writes (loadSegments)', () => {
  const base = 0x7f0000000000n;
  const segment = (at: bigint, length: number) => ({ at, length: BigInt(length) });

  it('widens each PT_LOAD to whole pages at the mapping start + p_vaddr, in address order, for both classes', async () => {
    for (const elfClass of [1, 2] as const) {
      const header = elfHeader(elfClass, 3, [
        [0x3100, 0x20],
        [0, 0x1234],
      ]);
      assert.deepEqual(
        await loadSegments(spaceWith(base, header), base),
        [segment(base, 0x2000), segment(base + 0x3000n, 0x1000)],
        `class ${elfClass}`,
      );
    }
  });

  it('reads a non-relocatable executable (ET_EXEC) at its own addresses', async () => {
    const header = elfHeader(2, 2, [[0x400000, 0x1800]]);
    assert.deepEqual(await loadSegments(spaceWith(0x400000n, header), 0x400000n), [segment(0x400000n, 0x2000)]);
  });

  it('refuses a header of no known class, unreadable program headers and a segment over 4 GiB, saying which', async () => {
    const unknown = elfHeader(2, 3, []);
    unknown[4] = 9;
    assert.match(String(await loadSegments(spaceWith(base, unknown), base)), /no known class/);
    const cut = elfHeader(2, 3, [[0, 0x1000]]).subarray(0, 0x50);
    assert.match(String(await loadSegments(spaceWith(base, cut), base)), /program headers are not readable/);
    const huge = elfHeader(2, 3, [[0, 2 ** 33]]);
    assert.match(String(await loadSegments(spaceWith(base, huge), base)), /claims 8589934592 bytes/);
  });
});

const skip = linuxFixtureSkipReason();

type Row = Record<string, Cell>;

/** A run's rows keyed by column name, its warnings, with the host's output folder `dir` (none: a host without files). */
async function dumpRun(
  session: Session,
  plugin: string,
  options: PluginOptions,
  dir?: NodeOutputDir,
): Promise<{ rows: Row[]; warnings: readonly CountedWarning[] }> {
  const columns = session.columns(plugin, options).map((c) => c.name);
  const run = session.run(plugin, options, dir ? { output: dir.create } : {});
  const rows: Row[] = [];
  await untracked(async () => {
    for await (const row of run) rows.push(Object.fromEntries(columns.map((c, i) => [c, row.values[i]!])));
  });
  await dir?.close();
  return { rows, warnings: run.warnings };
}

/** init's executable (truth.json): a static busybox on the initramfs, wholly in the page cache. */
const initExe = () => (linuxTruth()['processes'] as { pid: number; exe: string }[]).find((p) => p.pid === 1)!.exe;

describe('linux.pagecache.InodePages --dump on the real 6.1 capture', { skip }, () => {
  let session: Session;
  let dir: string;
  let inode: InodeInfo;

  before(async () => {
    session = await openLinuxSession('linux-a.raw');
    dir = mkdtempSync(join(tmpdir(), 'memscope-inode-dump-'));
    const [row] = await rowsByColumn(session, 'linux.pagecache.Files', { find: initExe() });
    inode = (await readInode(await session.kernel('linux'), row!['InodeAddr'] as bigint, (w) => assert.fail(w.message)))!;
  });
  after(() => session.close());

  it("writes init's executable whole: i_size bytes, each cached page's memory at its offset, a well-formed ELF", async () => {
    const { rows, warnings } = await dumpRun(session, 'linux.pagecache.InodePages', { find: initExe(), dump: true }, await NodeOutputDir.at(dir));
    assert.deepEqual(warnings, []);
    const name = `inode_0x${(inode.address & 0xffffffffffffn).toString(16)}.dmp`;
    assert.ok(rows.length > 0 && rows.every((r) => r['Output File'] === name));
    const bytes = readFileSync(join(dir, name));
    assert.equal(BigInt(bytes.length), inode.size);
    for (const r of rows) {
      const at = Number(r['Index']) * PAGE;
      const memory = await session.physical.read(Number(r['PagePAddr']), Math.min(PAGE, bytes.length - at));
      assert.ok(Buffer.from(memory).equals(bytes.subarray(at, at + memory.length)), `page ${r['Index']}`);
    }
    // A stripped ELF ends with its section header table.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(Number(view.getBigUint64(0x28, true)) + view.getUint16(0x3a, true) * view.getUint16(0x3c, true), bytes.length);
  });

  it('a second dump of the same inode gets a numbered name; without --dump the column is N/A, on a host without files it says so', async () => {
    const options = { find: initExe(), dump: true };
    const { rows } = await dumpRun(session, 'linux.pagecache.InodePages', options, await NodeOutputDir.at(dir));
    assert.match(String(rows[0]!['Output File']), /^inode_0x[0-9a-f]+-1\.dmp$/);
    assert.ok((await dumpRun(session, 'linux.pagecache.InodePages', { find: initExe() })).rows.every((r) => r['Output File'] === null));
    assert.ok((await dumpRun(session, 'linux.pagecache.InodePages', options)).rows.every((r) => r['Output File'] === NO_HOST_FILES));
  });

  it('the CLI writes it under -o DIR and names it in the rows, as the session does', async () => {
    const [cliDir, sessionDir] = [join(dir, 'cli'), join(dir, 'session')];
    for (const d of [cliDir, sessionDir]) mkdirSync(d);
    await dumpRun(session, 'linux.pagecache.InodePages', { find: initExe(), dump: true }, await NodeOutputDir.at(sessionDir));
    const image = await linuxFixtureFile('linux-a.raw');
    const address = `0x${inode.address.toString(16)}`;
    const cli = [
      join(ROOT, 'src/cli/main.ts'),
      '-f',
      image,
      '--no-cache',
      '-o',
      cliDir,
      '-r',
      'csv',
      'linux.pagecache.InodePages',
      '--inode',
      address,
      '--dump',
    ];
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...cli], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [file] = readdirSync(cliDir);
    assert.ok(r.stdout.split(/\r?\n/)[1]!.endsWith(`,${file}`), r.stdout.slice(0, 500));
    assert.equal(sha256(readFileSync(join(cliDir, file!))), sha256(readFileSync(join(sessionDir, file!))));
  });
});

/** ELF program header fields of a 64-bit image: each PT_LOAD's offset, address, sizes and whether it is writable. */
function loads(elf: Buffer): { offset: number; vaddr: number; filesz: number; writable: boolean }[] {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  return Array.from({ length: elf.readUInt16LE(0x38) }, (_, i) => phoff + i * 56)
    .filter((at) => elf.readUInt32LE(at) === 1)
    .map((at) => ({
      offset: Number(elf.readBigUInt64LE(at + 8)),
      vaddr: Number(elf.readBigUInt64LE(at + 0x10)),
      filesz: Number(elf.readBigUInt64LE(at + 0x20)),
      writable: (elf.readUInt32LE(at + 4) & 2) !== 0,
    }));
}

describe('linux.elfs --dump on the real 6.1 capture', { skip }, () => {
  let session: Session;
  let dir: string;
  let rows: Row[];

  before(async () => {
    session = await openLinuxSession('linux-a.raw');
    dir = mkdtempSync(join(tmpdir(), 'memscope-elf-dump-'));
    ({ rows } = await dumpRun(session, 'linux.elfs', { dump: true }, await NodeOutputDir.at(dir)));
  });
  after(() => session.close());

  it("names each image's file as Volatility 3 does, pid.<PID>.<comm>.<start>.dmp, and writes it", () => {
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r['File Output'], `pid.${r['PID']}.${r['Process']}.0x${(r['Start'] as bigint).toString(16)}.dmp`);
      assert.deepEqual([...readFileSync(join(dir, String(r['File Output']))).subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    }
  });

  it("init's image holds its executable's read-only segments as the page cache has them, where its page tables map them", async () => {
    const init = rows.find((r) => r['PID'] === 1 && r['File Path'] === initExe())!;
    const image = readFileSync(join(dir, String(init['File Output'])));
    const inodeDir = mkdtempSync(join(tmpdir(), 'memscope-elf-file-'));
    const dumped = await dumpRun(session, 'linux.pagecache.InodePages', { find: initExe(), dump: true }, await NodeOutputDir.at(inodeDir));
    const file = readFileSync(join(inodeDir, String(dumped.rows[0]!['Output File'])));
    const segments = loads(file);
    let same = 0;
    for (const s of segments.filter((l) => !l.writable)) {
      // A static busybox: its read-only segments are laid out in memory as in the file, from the first segment's address on.
      assert.equal(s.vaddr - segments[0]!.vaddr, s.offset);
      for (let at = s.offset - (s.offset % PAGE); at < s.offset + s.filesz; at += PAGE) {
        const page = image.subarray(at, at + PAGE);
        if (page.equals(file.subarray(at, at + PAGE))) same++;
        else
          assert.ok(
            page.every((b) => b === 0),
            `page at 0x${at.toString(16)} is neither the file's nor unmapped`,
          );
      }
    }
    assert.ok(same > 0);
  });
});

describe("Volatility 3's --dump on the ISF memscope writes", { skip: skip || volatilitySkipReason() }, () => {
  let dir: string;
  let image: string;
  let address: bigint;
  let ours: { inode: Buffer; elfs: Row[] };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memscope-vol-dump-'));
    image = await linuxFixtureFile('linux-a.raw');
    const session = await openLinuxSession('linux-a.raw');
    try {
      mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
      writeFileSync(join(dir, 'symbols/linux/memscope.json'), kernelIsfText(await session.kernel('linux'), MEMSCOPE_VERSION));
      for (const folder of ['ours', 'cache', 'vol']) mkdirSync(join(dir, folder));
      const out = await NodeOutputDir.at(join(dir, 'ours'));
      const { rows } = await dumpRun(session, 'linux.pagecache.InodePages', { find: initExe(), dump: true }, out);
      const elfs = (await dumpRun(session, 'linux.elfs', { dump: true }, out)).rows;
      ours = { inode: readFileSync(join(dir, 'ours', String(rows[0]!['Output File']))), elfs };
      address = (await rowsByColumn(session, 'linux.pagecache.Files', { find: initExe() }))[0]!['InodeAddr'] as bigint;
    } finally {
      await session.close();
    }
    extractVolatilitySource(dir);
  });

  const volatility = async (...args: string[]) => {
    const common = ['--offline', '-q', '-r', 'json', '--cache-path', join(dir, 'cache'), '-s', join(dir, 'symbols'), '-o', join(dir, 'vol')];
    const r = await run(PYTHON, [join(dir, 'volatility3/vol.py'), ...common, '-f', image, ...args]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  };

  it("InodePages --dump of init's executable is byte for byte the file memscope writes", async () => {
    // Volatility 2.11 takes the file's name with --dump (later versions: a flag, naming it inode_0x<address>.dmp).
    await volatility('linux.pagecache.InodePages', '--inode', `0x${address.toString(16)}`, '--dump', 'init.bin');
    const theirs = readFileSync(join(dir, 'vol', 'init.bin'));
    assert.ok(theirs.length > 0);
    assert.equal(sha256(ours.inode), sha256(theirs));
  });

  it('elfs --dump writes the files memscope names; the relocatable images (the vDSO) byte for byte as memscope', async () => {
    await volatility('linux.elfs', '--dump');
    const names = ours.elfs.map((r) => String(r['File Output']));
    assert.deepEqual(
      readdirSync(join(dir, 'vol'))
        .filter((f) => f.startsWith('pid.'))
        .sort(),
      [...names].sort(),
    );
    // Volatility reads every image at its mapping's start + p_vaddr: right for ET_DYN, zeros for a static ET_EXEC.
    const relocatable = ours.elfs.filter((r) => r['File Path'] === '[vdso]').map((r) => String(r['File Output']));
    assert.ok(relocatable.length > 0);
    for (const name of relocatable) assert.equal(sha256(readFileSync(join(dir, 'vol', name))), sha256(readFileSync(join(dir, 'ours', name))), name);
  });
});

const windows = WINDOWS_KERNELS[0]!;

describe(`windows.malfind and windows.vadinfo --dump on a generated ${windows.name} image`, { skip: windows.skip }, () => {
  let session: Session;
  let dir: string;
  let built: Awaited<ReturnType<typeof windowsImage>>;
  const vadFile = (pid: Cell, start: bigint, end: bigint) => `pid.${pid}.vad.0x${start.toString(16)}-0x${end.toString(16)}.dmp`;

  before(async () => {
    built = await windowsImage({ size: 24 * 1024 * 1024, seed: 11, isfPath: windows.isfPath });
    session = await openWindowsSession(built.image, { symbolDirs: [windows.symbolDir] });
    dir = mkdtempSync(join(tmpdir(), 'memscope-vad-dump-'));
  });
  after(() => session.close());

  it('malfind --dump writes the injected range whole, its PE headers first, named as Volatility 3 names it', async () => {
    const { rows, warnings } = await dumpRun(session, 'windows.malfind', { dump: true }, await NodeOutputDir.at(dir));
    assert.deepEqual(warnings, []);
    const planted = built.expected.processes.filter((p) => p.linked).flatMap((p) => (p.malfind ?? []).map((m) => ({ pid: p.pid, ...m })));
    assert.equal(rows.length, planted.length);
    for (const m of planted) {
      const row = rows.find((r) => r['PID'] === m.pid && r['Start VPN'] === BigInt(m.start))!;
      assert.equal(row['File output'], vadFile(m.pid, BigInt(m.start), BigInt(m.end)));
      const bytes = readFileSync(join(dir, String(row['File output'])));
      assert.equal(bytes.length, Number(BigInt(m.end) - BigInt(m.start) + 1n));
      assert.equal(bytes.subarray(0, 64).toString('hex'), m.first64);
    }
  });

  it('vadinfo --dump writes each range of a process, those over --maxsize left out with a warning', async () => {
    const process = built.expected.processes.find((p) => p.linked && p.malfind?.length)!;
    const maxsize = 0x10000;
    const out = await NodeOutputDir.at(mkdtempSync(join(tmpdir(), 'memscope-vadinfo-dump-')));
    const { rows, warnings } = await dumpRun(session, 'windows.vadinfo', { pid: [process.pid], dump: true, maxsize }, out);
    assert.equal(rows.length, process.vads!.length);
    let over = 0;
    for (const r of rows) {
      const [start, end] = [r['Start VPN'] as bigint, r['End VPN'] as bigint];
      if (end - start + 1n > BigInt(maxsize)) {
        over++;
        assert.equal(r['File output'], 'Error outputting file');
      } else {
        assert.equal(r['File output'], vadFile(process.pid, start, end));
        assert.equal(BigInt(statSync(join(out.dir, String(r['File output']))).size), end - start + 1n);
      }
    }
    assert.ok(over > 0 && over < rows.length, 'some ranges over --maxsize, some not');
    assert.deepEqual(
      warnings.map((w) => w.code),
      Array<string>(over).fill('LIMIT'),
    );
  });
});
