// linux.pagecache.Files and linux.pagecache.InodePages on the real capture: what the guest printed (truth.json) is among
// the cached files, the four capture formats agree, and rewritten dentries and inodes cost their rows, not the run.
// The rows equal Volatility 3's on the same capture: linux-isf-volatility.test.ts.
import assert from 'node:assert/strict';
import { isMemscopeError } from '../../src/errors.ts';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { listEntries } from '../../src/os/linux/list-walk.ts';
import { dentryNameAt } from '../../src/os/linux/vfs-path.ts';
import type { Cell, CountedWarning } from '../../src/plugins/plugin.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { LINUX_CAPTURES, openLinuxSession, rowsByColumn, runByColumn } from '../helpers/linux-session.ts';

type Row = Record<string, Cell>;
interface TruthProcess {
  exe: string | null;
  fds: { fd: number; target: string }[];
}

const skip = linuxFixtureSkipReason();
const PAGE_SIZE = 4096;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

describe('linux.pagecache on the real 6.1 capture', { skip }, () => {
  let session: Session;
  let files: Row[];
  let warnings: readonly CountedWarning[];
  const byPath = (path: string) => files.find((r) => r['FilePath'] === path);

  before(async () => {
    session = await openLinuxSession('linux-a.raw');
    ({ rows: files, warnings } = await runByColumn(session, 'linux.pagecache.Files'));
  });
  after(() => session.close());

  it('lists each inode once with no warning, every mount of truth.json at its mount point with its device', () => {
    assert.deepEqual(warnings, []);
    assert.equal(new Set(files.map((r) => r['InodeAddr'])).size, files.length);
    for (const m of linuxTruth()['mounts'] as { mountpoint: string; dev: string }[]) {
      const root = files.find((r) => r['MountPoint'] === m.mountpoint && r['FilePath'] === m.mountpoint);
      assert.ok(root, `mount ${m.mountpoint}`);
      assert.equal(root['Device'], m.dev, m.mountpoint);
      assert.equal(root['FileType'], 'DIR', m.mountpoint);
    }
  });

  it("every process's executable is a cached regular file, and every file a process has open is listed", () => {
    const processes = linuxTruth()['processes'] as TruthProcess[];
    for (const exe of new Set(processes.map((p) => p.exe).filter((e) => e !== null))) {
      const row = byPath(exe);
      assert.ok(row, exe);
      assert.equal(row['FileType'], 'REG', exe);
      assert.ok(Number(row['CachedPages']) > 0, `${exe} has cached pages`);
      assert.ok(Number(row['CachedPages']) <= Number(row['InodePages']), exe);
    }
    const opened = processes.flatMap((p) => p.fds.map((f) => f.target)).filter((t) => t.startsWith('/'));
    assert.ok(opened.length > 0);
    for (const path of opened) assert.ok(byPath(path), path);
  });

  it('--type and --find select among the same rows', async () => {
    const regular = await rowsByColumn(session, 'linux.pagecache.Files', { type: ['REG', 'LNK'] });
    assert.deepEqual(
      regular,
      files.filter((r) => r['FileType'] === 'REG' || r['FileType'] === 'LNK'),
    );
    assert.deepEqual(await rowsByColumn(session, 'linux.pagecache.Files', { find: '/bin/busybox' }), [byPath('/bin/busybox')]);
  });

  it("InodePages lists an executable's cached pages in file order; the first holds the ELF header", async () => {
    const exe = byPath('/bin/busybox')!;
    const pages = await rowsByColumn(session, 'linux.pagecache.InodePages', { find: '/bin/busybox' });
    assert.equal(pages.length, Number(exe['CachedPages']));
    const indexes = pages.map((p) => Number(p['Index']));
    indexes.forEach((index, i) => assert.ok(index < Number(exe['InodePages']) && (i === 0 || index > indexes[i - 1]!)));
    assert.ok(pages.every((p) => p['DumpSafe'] === true));
    assert.equal(new Set(pages.map((p) => p['MappingAddr'])).size, 1);
    const first = pages.find((p) => Number(p['Index']) === 0);
    assert.ok(first);
    const header = await session.physical.read(Number(first['PagePAddr']), PAGE_SIZE);
    assert.deepEqual([...header.subarray(0, 4)], ELF_MAGIC);
    const address = `0x${(exe['InodeAddr'] as bigint).toString(16)}`;
    assert.deepEqual(await rowsByColumn(session, 'linux.pagecache.InodePages', { inode: address }), pages);
  });

  it('InodePages refuses what is not a regular file or no inode with a warning, no choice or no address as a bad request', async () => {
    for (const options of [{}, { inode: 'nonsense' }, { inode: '0x1000', find: '/bin/busybox' }]) {
      await assert.rejects(
        runByColumn(session, 'linux.pagecache.InodePages', options),
        (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
        JSON.stringify(options),
      );
    }
    const dir = `0x${(byPath('/')!['InodeAddr'] as bigint).toString(16)}`;
    for (const [options, code] of [
      [{ inode: dir }, 'UNSUPPORTED'],
      [{ inode: '0x1000' }, 'NOT_FOUND'],
      [{ find: '/no/such/file' }, 'NOT_FOUND'],
    ] as const) {
      const run = await runByColumn(session, 'linux.pagecache.InodePages', options);
      assert.deepEqual(run.rows, [], JSON.stringify(options));
      assert.deepEqual(
        run.warnings.map((w) => w.code),
        [code],
        JSON.stringify(options),
      );
    }
  });

  it('the ELF, LiME and kdump captures of the same moment give the same rows', async () => {
    for (const capture of LINUX_CAPTURES.filter((c) => c !== 'linux-a.raw')) {
      const other = await openLinuxSession(capture);
      try {
        assert.deepEqual(await rowsByColumn(other, 'linux.pagecache.Files'), files, capture);
      } finally {
        await other.close();
      }
    }
  });
});

describe('linux.pagecache.Files on rewritten dentries and inodes', { skip }, () => {
  let image: LinuxImage;
  /** The root directory's dentry (init's fs->root). */
  let rootDentry: bigint;

  before(async () => {
    image = await loadLinuxImage();
    const k = image.kernel;
    const init = (await k.readStruct('task_struct', k.symbolAddress('init_task')))!;
    rootDentry = (await k.readStruct('fs_struct', init.u64('fs')))!.u64('root.dentry');
  });

  /** The dentry named `name` under the directory dentry `dir`. */
  async function child(dir: bigint, name: string): Promise<bigint> {
    const k = image.kernel;
    const childAt = BigInt(k.layout.offset('dentry', 'd_child'));
    for await (const link of listEntries(k, dir + BigInt(k.layout.offset('dentry', 'd_subdirs')), 'test', (w) => assert.fail(w.message))) {
      if ((await dentryNameAt(k, link - childAt)) === name) return link - childAt;
    }
    throw new Error(`no ${name}`);
  }

  async function filesOf(patch: ImagePatch): Promise<{ rows: Row[]; warnings: readonly CountedWarning[] }> {
    const session = await patch.open();
    try {
      return await runByColumn(session, 'linux.pagecache.Files');
    } finally {
      await session.close();
    }
  }

  it('a loop in a directory list ends that list with one warning; the rest is listed', async () => {
    const p = new ImagePatch(image);
    const srv = await child(rootDentry, 'srv');
    const link = srv + BigInt(image.kernel.layout.offset('dentry', 'd_child'));
    await p.field('list_head', link, 'next', link);
    const { rows, warnings } = await filesOf(p);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['SMEAR'],
    );
    assert.match(warnings[0]!.message, /subdirectories of \/ loops back/);
    assert.ok(rows.some((r) => r['FilePath'] === '/srv'));
    assert.ok(rows.some((r) => r['FilePath'] === '/proc'));
  });

  it('a directory whose inode is not valid (negative i_count) is left out with what is below it', async () => {
    const p = new ImagePatch(image);
    const srv = await child(rootDentry, 'srv');
    const inode = (await image.kernel.readStruct('dentry', srv))!.u64('d_inode');
    await p.field('inode', inode, 'i_count.counter', -1);
    const { rows, warnings } = await filesOf(p);
    assert.deepEqual(warnings, []);
    assert.ok(!rows.some((r) => r['MountPoint'] === '/' && String(r['FilePath']).startsWith('/srv')));
    // The filesystem mounted below it is listed from its own superblock.
    assert.ok(rows.some((r) => r['MountPoint'] === '/srv/alpha_cache' && r['FilePath'] === '/srv/alpha_cache'));
  });
});
