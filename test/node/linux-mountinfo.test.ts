import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import type { VirtualLayer } from '../../src/layers/virtual-layer.ts';
import type { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import { listMounts, mountNamespaces, rbInOrder } from '../../src/os/linux/mounts.ts';
import type { MountInfo } from '../../src/plugins/api.ts';
import { mountinfo } from '../../src/plugins/linux/mountinfo.ts';
import { columnsFor } from '../../src/plugins/plugin-definition.ts';
import type { Cell, CountedWarning, PluginOptions, RunWarning } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { LINUX_FIXTURE_DIR, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect, collectRun, LINUX_CAPTURES, openLinuxSession } from '../helpers/linux-session.ts';

interface TruthMount {
  device: string;
  mountpoint: string;
  fstype: string;
  options: string;
  mount_id: number;
  parent_id: number;
  dev: string;
}

const skip = linuxFixtureSkipReason();
let rawImage: Promise<LinuxImage> | undefined;
/** The raw image and a kernel over it, loaded once for the tests that rewrite structures. */
const sharedImage = () => (rawImage ??= loadLinuxImage());
const truthMounts = () => linuxTruth()['mounts'] as TruthMount[];
/** First ino proc_alloc_inum hands out (PROC_DYNAMIC_FIRST): namespace inode numbers are at or above it. */
const PROC_DYNAMIC_FIRST = 0xf0000000;

/** A section the guest's /init printed on the serial console ("=== BEGIN name ===" ... "=== END name ==="). */
function consoleSection(name: string): string[] {
  const text = readFileSync(join(LINUX_FIXTURE_DIR, 'linux-a.console'), 'latin1').replace(/\r/g, '');
  const body = text.split(`=== BEGIN ${name} ===\n`)[1]?.split(`=== END ${name} ===`)[0];
  assert.ok(body, `console section ${name}`);
  return body.split('\n').filter(Boolean);
}

/** linux.mountinfo rows keyed by the columns the plugin declares for these options. */
async function mountRows(session: Session, options: PluginOptions = {}): Promise<Record<string, Cell>[]> {
  return (await mountRun(session, options)).rows;
}

/** linux.mountinfo's rows keyed by column name, and the warnings of that run. */
async function mountRun(
  session: Session,
  options: PluginOptions = {},
): Promise<{ rows: Record<string, Cell>[]; warnings: readonly CountedWarning[] }> {
  const columns = columnsFor(mountinfo, options).map((c) => c.name);
  const { rows, warnings } = await collectRun(session, 'linux.mountinfo', options);
  for (const r of rows) assert.equal(r.values.length, columns.length);
  return { rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r.values[i]!]))), warnings };
}

/** A row as a /proc/<pid>/mountinfo line (fs/proc_namespace.c show_mountinfo). */
function mountinfoLine(r: Record<string, Cell>): string {
  const fields = r['FIELDS'] ? ` ${r['FIELDS']}` : '';
  return `${r['MOUNT ID']} ${r['PARENT_ID']} ${r['MAJOR:MINOR']} ${r['ROOT']} ${r['MOUNT_POINT']} ${r['MOUNT_OPTIONS']}${fields} - ${r['FSTYPE']} ${r['MOUNT_SRC']} ${r['SB_OPTIONS']}`;
}

for (const capture of LINUX_CAPTURES) {
  describe(`linux.mountinfo on ${capture}`, { skip }, () => {
    let session: Session;
    let rows: Record<string, Cell>[];
    let warnings: readonly CountedWarning[];
    let initNs: Cell;
    before(async () => {
      session = await openLinuxSession(capture);
      ({ rows, warnings } = await mountRun(session));
      initNs = rows[0]!['MNT_NS_ID'];
    });
    after(() => session?.close());

    it('the initial namespace holds exactly the guest’s mounts: ids, parents, devices, mount points, types, sources', () => {
      const got = rows
        .filter((r) => r['MNT_NS_ID'] === initNs)
        .map((r) => ({
          mount_id: r['MOUNT ID'],
          parent_id: r['PARENT_ID'],
          dev: r['MAJOR:MINOR'],
          mountpoint: r['MOUNT_POINT'],
          fstype: r['FSTYPE'],
          device: r['MOUNT_SRC'],
        }));
      const want = truthMounts().map((m) => ({
        mount_id: m.mount_id,
        parent_id: m.parent_id,
        dev: m.dev,
        mountpoint: m.mountpoint,
        fstype: m.fstype,
        device: m.device,
      }));
      assert.deepEqual(got, want);
      assert.deepEqual(warnings, []);
    });

    it('each row of the initial namespace is the guest’s /proc/self/mountinfo line (root, options, tmpfs super options)', () => {
      assert.deepEqual(rows.filter((r) => r['MNT_NS_ID'] === initNs).map(mountinfoLine), consoleSection('mountinfo'));
    });

    it('--mount-format gives the guest’s /proc/mounts lines, options included', async () => {
      const brief = await mountRows(session, { 'mount-format': true });
      const got = brief.filter((r) => r['MNT_NS_ID'] === initNs).map((r) => `${r['DEVNAME']} ${r['PATH']} ${r['FSTYPE']} ${r['MNT_OPTS']}`);
      assert.deepEqual(
        got,
        truthMounts().map((m) => `${m.device} ${m.mountpoint} ${m.fstype} ${m.options}`),
      );
      assert.deepEqual(
        got.map((l) => `${l} 0 0`),
        consoleSection('mounts'),
      );
    });

    it('every namespace once, with proc inode numbers; kdevtmpfs’ private namespace has devtmpfs mounted on /', async () => {
      const ids = [...new Set(rows.map((r) => r['MNT_NS_ID']))];
      for (const id of ids) assert.ok(typeof id === 'number' && id >= PROC_DYNAMIC_FIRST, `namespace ${id}`);
      const mountIds = rows.map((r) => r['MOUNT ID']);
      assert.equal(new Set(mountIds).size, mountIds.length, 'a mount listed twice');
      // drivers/base/devtmpfs.c: devtmpfsd unshares its mount namespace and mounts devtmpfs on its "/".
      const kdevtmpfs = (linuxTruth()['processes'] as { pid: number; comm: string }[]).find((p) => p.comm === 'kdevtmpfs')!;
      const own = await mountRows(session, { pid: [kdevtmpfs.pid] });
      assert.ok(own.length > 0 && own.every((r) => r['PID'] === kdevtmpfs.pid && r['MNT_NS_ID'] !== initNs));
      const devtmpfs = truthMounts().find((m) => m.fstype === 'devtmpfs')!;
      assert.ok(own.some((r) => r['FSTYPE'] === 'devtmpfs' && r['MOUNT_POINT'] === '/' && r['MAJOR:MINOR'] === devtmpfs.dev));
      const strip = (r: Record<string, Cell>) => Object.entries(r).filter(([c]) => c !== 'PID');
      assert.deepEqual(own.map(strip), rows.filter((r) => r['MNT_NS_ID'] === own[0]!['MNT_NS_ID']).map(strip));
    });

    it('--pid 1 shows init’s namespace with a PID column; --mntns keeps one namespace', async () => {
      const init = await mountRows(session, { pid: [1] });
      assert.deepEqual(
        init.map((r) => [r['PID'], r['MNT_NS_ID'], r['MOUNT ID']]),
        truthMounts().map((m) => [1, initNs, m.mount_id]),
      );
      const only = await collect(session, 'linux.mountinfo', { mntns: Number(initNs) });
      assert.deepEqual(
        only.map((r) => r.values[1]),
        truthMounts().map((m) => m.mount_id),
      );
      assert.equal((await collect(session, 'linux.mountinfo', { mntns: 1 })).length, 0);
    });
  });
}

/** The real image with mount structures rewritten: every decoded flag and field against values this test wrote. */
describe('linux.mountinfo of rewritten mount structures (real 6.1 layout)', { skip }, () => {
  let image: LinuxImage;
  let mounts: Map<number, MountInfo>;
  let otherNs: bigint;
  before(async () => {
    image = await sharedImage();
    const namespaces = [];
    for await (const ns of mountNamespaces(image.kernel, (w) => assert.fail(w.message))) namespaces.push(ns);
    mounts = new Map();
    for await (const m of listMounts(image.kernel, namespaces[0]!, (w) => assert.fail(w.message))) mounts.set(m.id, m);
    otherNs = namespaces[1]!.address;
  });
  const byPath = (path: string) => [...mounts.values()].find((m) => m.mountPoint === path)!;
  const rowsOf = async (patch: ImagePatch, options = {}) => {
    const session = await patch.open();
    try {
      const { rows, warnings } = await mountRun(session, options);
      return { rows: new Map(rows.map((r) => [r['MOUNT_POINT'] ?? r['PATH'], r])), warnings };
    } finally {
      await session.close();
    }
  };
  const superBlock = (m: MountInfo) => image.kernel.vm.readU64(m.address + BigInt(image.kernel.layout.offset('mount', 'mnt.mnt_sb'))).then((v) => v!);

  it('peer groups, a slave with propagate_from, unbindable; ro, nosuid, noexec, nosymfollow, sync, dirsync, lazytime, idmapped', async () => {
    const p = new ImagePatch(image);
    const [run, scratch, cache, dev, sys] = ['/run', '/mnt/memimg_alpha_tmp', '/srv/alpha_cache', '/dev', '/sys'].map(byPath) as [
      MountInfo,
      MountInfo,
      MountInfo,
      MountInfo,
      MountInfo,
    ];
    const share = BigInt(image.kernel.layout.offset('mount', 'mnt_share'));
    // scratch (group 7, in another namespace) and run (group 9) are peers; cache is scratch's slave.
    await p.field('mount', run.address, 'mnt.mnt_flags', 0x20 | 0x1000);
    await p.field('mount', run.address, 'mnt_group_id', 9);
    await p.field('mount', scratch.address, 'mnt.mnt_flags', 0x20 | 0x1000);
    await p.field('mount', scratch.address, 'mnt_group_id', 7);
    await p.field('mount', scratch.address, 'mnt_ns', otherNs);
    await p.field('mount', scratch.address, 'mnt_share.next', run.address + share);
    await p.field('mount', run.address, 'mnt_share.next', scratch.address + share);
    await p.field('mount', cache.address, 'mnt_master', scratch.address);
    await p.field('mount', cache.address, 'mnt.mnt_userns', 0xffff_8880_dead_0000n);
    await p.field('mount', dev.address, 'mnt.mnt_flags', 0x20 | 0x2000);
    // MNT_READONLY | MNT_NOSUID | MNT_NOEXEC | MNT_RELATIME | MNT_NOSYMFOLLOW; SB_SYNCHRONOUS | SB_DIRSYNC | SB_LAZYTIME.
    await p.field('mount', sys.address, 'mnt.mnt_flags', 0x40 | 0x01 | 0x04 | 0x20 | 0x80);
    await p.field('super_block', await superBlock(sys), 's_flags', 0x10 | 0x80 | (1 << 25));
    const { rows, warnings } = await rowsOf(p);
    assert.deepEqual(warnings, []);
    assert.equal(rows.get('/run')!['FIELDS'], 'shared:9');
    assert.equal(rows.get('/mnt/memimg_alpha_tmp')!['FIELDS'], 'shared:7');
    assert.equal(rows.get('/srv/alpha_cache')!['FIELDS'], 'master:7 propagate_from:9');
    assert.equal(rows.get('/srv/alpha_cache')!['MOUNT_OPTIONS'], 'rw,relatime,idmapped');
    assert.equal(rows.get('/dev')!['FIELDS'], 'unbindable');
    assert.equal(rows.get('/sys')!['MOUNT_OPTIONS'], 'ro,nosuid,noexec,relatime,nosymfollow');
    assert.equal(rows.get('/sys')!['SB_OPTIONS'], 'rw,sync,dirsync,lazytime');
    const brief = await rowsOf(p, { 'mount-format': true });
    assert.equal(brief.rows.get('/sys')!['MNT_OPTS'], 'ro,sync,dirsync,lazytime,nosuid,noexec,relatime,nosymfollow');
  });

  it('filesystem options: tmpfs uid/gid/huge, proc gid/hidepid/subset, devpts gid/mode/ptmxmode/max', async () => {
    const p = new ImagePatch(image);
    const [scratch, proc, sys] = ['/mnt/memimg_alpha_tmp', '/proc', '/sys'].map(byPath) as [MountInfo, MountInfo, MountInfo];
    const kernel = image.kernel;
    const fsInfo = async (m: MountInfo) =>
      (await kernel.vm.readU64((await superBlock(m)) + BigInt(kernel.layout.offset('super_block', 's_fs_info'))))!;
    const shmem = await fsInfo(scratch);
    await p.field('shmem_sb_info', shmem, 'uid.val', 1000);
    await p.field('shmem_sb_info', shmem, 'gid.val', 100);
    await p.field('shmem_sb_info', shmem, 'huge', 2);
    const procInfo = await fsInfo(proc);
    await p.field('proc_fs_info', procInfo, 'pid_gid.val', 27);
    await p.field('proc_fs_info', procInfo, 'hide_pid', kernel.symbols.enumeration('proc_hidepid')!.constants.get('HIDEPID_INVISIBLE')!);
    await p.field('proc_fs_info', procInfo, 'pidonly', 1);
    // sysfs' superblock turned into a devpts one with a pts_fs_info in free memory.
    const pts = await p.scratch('pts_fs_info');
    await p.field('pts_fs_info', pts, 'mount_opts.setgid', 1);
    await p.field('pts_fs_info', pts, 'mount_opts.gid.val', 5);
    await p.field('pts_fs_info', pts, 'mount_opts.mode', 0o620);
    await p.field('pts_fs_info', pts, 'mount_opts.ptmxmode', 0);
    await p.field('pts_fs_info', pts, 'mount_opts.max', 4096);
    await p.field('super_block', await superBlock(sys), 's_op', kernel.symbolAddress('devpts_sops'));
    await p.field('super_block', await superBlock(sys), 's_fs_info', pts);
    const { rows, warnings } = await rowsOf(p);
    assert.deepEqual(warnings, []);
    assert.equal(rows.get('/mnt/memimg_alpha_tmp')!['SB_OPTIONS'], 'rw,size=4096k,uid=1000,gid=100,inode64,huge=within_size');
    assert.equal(rows.get('/proc')!['SB_OPTIONS'], 'rw,gid=27,hidepid=invisible,subset=pid');
    assert.equal(rows.get('/sys')!['SB_OPTIONS'], 'rw,gid=5,mode=620,ptmxmode=000,max=4096');
  });

  it('a mount list looping back, a master chain looping, a mount parent loop: the readable rows, a warning, no hang', async () => {
    const p = new ImagePatch(image);
    const [run, scratch, cache] = ['/run', '/mnt/memimg_alpha_tmp', '/srv/alpha_cache'].map(byPath) as [MountInfo, MountInfo, MountInfo];
    const list = BigInt(image.kernel.layout.offset('mount', 'mnt_list'));
    await p.field('mount', cache.address, 'mnt_list.next', run.address + list);
    await p.field('mount', scratch.address, 'mnt_master', cache.address);
    await p.field('mount', cache.address, 'mnt_master', scratch.address);
    await p.field('mount', run.address, 'mnt_parent', scratch.address);
    await p.field('mount', scratch.address, 'mnt_parent', run.address);
    const session = await p.open();
    try {
      const { rows, warnings } = await collectRun(session, 'linux.mountinfo');
      assert.deepEqual(
        rows.slice(0, truthMounts().length).map((r) => r.values[1]),
        truthMounts().map((m) => m.mount_id),
      );
      const loop = warnings.find((w) => /mount list of namespace \d+ loops back/.test(w.message));
      assert.deepEqual(
        loop && [loop.code, loop.address],
        ['SMEAR', `0x${(cache.address + list).toString(16)}`],
        warnings.map((w) => w.message).join('\n'),
      );
      const fields = new Map(rows.map((r) => [r.values[1], r.values[7]]));
      assert.equal(fields.get(cache.id), 'master:0');
    } finally {
      await session.close();
    }
  });
});

describe('the rbtree walk of 6.8+ mount namespaces (mnt_namespace.mounts)', { skip }, () => {
  let kernel: LinuxKernel;
  const words = new Map<bigint, bigint>();
  before(async () => {
    const real = (await sharedImage()).kernel;
    const vm = { readU64: async (at: bigint) => words.get(at) ?? null } as unknown as VirtualLayer;
    kernel = Object.create(real, { vm: { value: vm } }) as LinuxKernel;
  });
  /** Nodes at 0x1000 * key; `links` maps key -> [left key, right key] (0 = none). */
  function tree(links: Record<number, [number, number]>): void {
    words.clear();
    const [left, right] = ['rb_left', 'rb_right'].map((f) => BigInt(kernel.layout.offset('rb_node', f)));
    for (const [key, [l, r]] of Object.entries(links)) {
      words.set(0x1000n * BigInt(key) + left!, 0x1000n * BigInt(l));
      words.set(0x1000n * BigInt(key) + right!, 0x1000n * BigInt(r));
    }
  }
  async function walk(root: number): Promise<{ keys: number[]; warnings: RunWarning[] }> {
    const warnings: RunWarning[] = [];
    const keys: number[] = [];
    for await (const node of rbInOrder(kernel, 0x1000n * BigInt(root), 'mount tree', (w) => warnings.push(w))) keys.push(Number(node / 0x1000n));
    return { keys, warnings };
  }

  it('visits the nodes in key order (rb_next), the empty tree as nothing', async () => {
    tree({ 4: [2, 6], 2: [1, 3], 6: [5, 7], 1: [0, 0], 3: [0, 0], 5: [0, 0], 7: [0, 0] });
    assert.deepEqual(await walk(4), { keys: [1, 2, 3, 4, 5, 6, 7], warnings: [] });
    tree({ 1: [0, 2], 2: [0, 3], 3: [0, 0] });
    assert.deepEqual(await walk(1), { keys: [1, 2, 3], warnings: [] });
    assert.deepEqual(await walk(0), { keys: [], warnings: [] });
  });

  it('a child pointing back up, or an unreadable child: the nodes before it and a warning', async () => {
    tree({ 2: [1, 3], 1: [0, 0], 3: [2, 0] });
    const looped = await walk(2);
    assert.deepEqual(looped.keys, [1, 2]);
    assert.deepEqual(looped.warnings, [{ code: 'SMEAR', message: 'mount tree loops back to 0x2000: walk stopped', address: '0x3000' }]);
    tree({ 2: [1, 9], 1: [0, 0] });
    const cut = await walk(2);
    assert.deepEqual(cut.keys, [1, 2]);
    assert.deepEqual(cut.warnings, [{ code: 'UNREADABLE', message: 'mount tree: link unreadable after 3 entries: walk stopped', address: '0x9000' }]);
  });
});
