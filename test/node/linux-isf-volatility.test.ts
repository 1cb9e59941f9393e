// Volatility 3 itself as the oracle of the ISF memscope writes (`memscope -f IMAGE linux-isf`): given only that
// file, it must run its Linux plugins on the real capture and find what the guest printed in truth.json.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { extractVolatility, run, volatilitySkipReason } from '../helpers/volatility.ts';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));
/** Plugins whose rows are checked against memscope's rows of the same plugin. */
const COMPARED = [
  'linux.check_idt',
  'linux.psscan',
  'linux.pidhashtable',
  'linux.tty_check',
  'linux.elfs',
  'linux.malfind',
  'linux.pagecache.Files',
  'linux.netfilter',
  'linux.library_list',
] as const;
const PLUGINS = ['linux.pslist', 'linux.pstree', 'linux.lsmod', 'linux.sockstat', 'linux.mountinfo', ...COMPARED] as const;
/** Volatility 3 prints kernel addresses masked to the 48 bits the page tables translate. */
const ADDRESS_MASK = (1n << 48n) - 1n;
/** Volatility runs at a time: each is one single-threaded Python process. */
const PARALLEL = 2;

type Plugin = (typeof PLUGINS)[number];
type Row = Record<string, unknown> & { readonly __children: Row[] };

function skipReason(): string | false {
  return linuxFixtureSkipReason() || volatilitySkipReason();
}

const flatten = (rows: readonly Row[]): Row[] => rows.flatMap((r) => [r, ...flatten(r.__children)]);

describe('Volatility 3 runs its Linux plugins on the ISF memscope writes from the capture', { skip: skipReason() }, () => {
  const results = new Map<Plugin, Row[]>();
  const memscope = new Map<string, Row[]>();
  const truth = () => linuxTruth() as unknown as Record<string, any>;
  let inodePages: Row[];
  let inodeArgs: string[];

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const dir = mkdtempSync(join(tmpdir(), 'memscope-vol-'));
    const image = await linuxFixtureFile('linux-a.raw');
    const volatility = extractVolatility(dir);
    const isf = await run(process.execPath, [CLI, '-f', image, '--no-cache', 'linux-isf']);
    assert.equal(isf.code, 0, isf.stderr);
    const ours = async (plugin: string, args: readonly string[] = []) => {
      const out = await run(process.execPath, [CLI, '-f', image, '--no-cache', '-r', 'json', plugin, ...args]);
      assert.equal(out.code, 0, out.stderr);
      // Addresses above 2^53 are quoted before parsing so they keep every digit.
      return JSON.parse(out.stdout.replace(/: (\d{16,})/g, ': "$1"')) as Row[];
    };
    for (const plugin of COMPARED) memscope.set(plugin, await ours(plugin));
    // The cached pages of init's executable, by the inode address memscope lists for it.
    const initExe = (truth()['processes'] as { pid: number; exe: string }[]).find((p) => p.pid === 1)!.exe;
    const exeRow = memscope.get('linux.pagecache.Files')!.find((r) => r['FilePath'] === initExe);
    assert.ok(exeRow, `${initExe} is not among memscope's cached files`);
    inodeArgs = ['--inode', `0x${BigInt(String(exeRow['InodeAddr'])).toString(16)}`];
    memscope.set('linux.pagecache.InodePages', await ours('linux.pagecache.InodePages', inodeArgs));
    mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
    writeFileSync(join(dir, 'symbols/linux/memscope-linux-a.json'), isf.stdout);
    // The first run builds Volatility's banner cache; the others reuse it.
    const [first, ...rest] = PLUGINS;
    const record = async (plugin: Plugin) => results.set(plugin, (await volatility(join(dir, 'symbols'), image, plugin)) as Row[]);
    await record(first);
    const jobs = [
      ...rest.map((plugin) => () => record(plugin)),
      async () => (inodePages = (await volatility(join(dir, 'symbols'), image, 'linux.pagecache.InodePages', inodeArgs)) as Row[]),
    ];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let job = jobs.shift(); job; job = jobs.shift()) await job();
      }),
    );
  });

  it('linux.pslist lists every process the guest had, with its name; linux.pstree nests them under their parents', () => {
    const expected = (truth()['processes'] as { pid: number; ppid: number; comm: string }[])
      .map((p) => [p.pid, p.comm])
      .sort((a, b) => +a[0]! - +b[0]!);
    const listed = results
      .get('linux.pslist')!
      .map((r) => [r['PID'], r['COMM']])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(listed, expected);
    const tree = results.get('linux.pstree')!;
    const check = (nodes: readonly Row[]) => nodes.forEach((n) => n.__children.forEach((c) => (assert.equal(c['PPID'], n['PID']), check([c]))));
    check(tree);
    assert.deepEqual(
      flatten(tree)
        .map((r) => r['PID'])
        .sort((a, b) => Number(a) - Number(b)),
      expected.map(([pid]) => pid),
    );
  });

  it('linux.lsmod lists the loaded modules with their sizes', () => {
    const modules = truth()['modules'] as { name: string; size: number }[];
    assert.deepEqual(
      results
        .get('linux.lsmod')!
        .map((r) => [r['Name'], r['Size']])
        .sort(),
      modules.map((m) => [m.name, m.size]).sort(),
    );
  });

  it("linux.sockstat finds the guest's TCP and UDP sockets with their process, addresses, ports and state", () => {
    const inet = [...(truth()['tcp'] as any[]), ...(truth()['udp'] as any[])].map((s) => [
      s.pid,
      String(s.proto).toUpperCase(),
      s.local_ip,
      String(s.local_port),
      s.state === 'UNCONN' ? 'UNCONNECTED' : s.state,
    ]);
    const rows = results.get('linux.sockstat')!.filter((r) => r['Proto'] === 'TCP' || r['Proto'] === 'UDP');
    assert.deepEqual(rows.map((r) => [r['PID'], r['Proto'], r['Source Addr'], r['Source Port'], r['State']]).sort(), inet.sort());
  });

  it('linux.mountinfo lists the mounts of the initial namespace with their ids and types', () => {
    const rows = results.get('linux.mountinfo')!.map((r) => [r['MOUNT ID'], r['MOUNT_POINT'], r['FSTYPE']]);
    for (const m of truth()['mounts'] as { mount_id: number; mountpoint: string; fstype: string }[]) {
      assert.ok(
        rows.some((r) => r[0] === m.mount_id && r[1] === m.mountpoint && r[2] === m.fstype),
        `mount ${m.mount_id} ${m.mountpoint}`,
      );
    }
  });

  it('linux.check_idt names the same handler, module and symbol for each checked vector as memscope', () => {
    const rows = (list: readonly Row[]) => list.map((r) => [r['Index'], BigInt(String(r['Address'])) & ADDRESS_MASK, r['Module'], r['Symbol']]);
    assert.deepEqual(rows(results.get('linux.check_idt')!), rows(memscope.get('linux.check_idt')!));
  });

  it('linux.psscan carves the same task_structs as memscope: offsets, ids, names and exit states', () => {
    const columns = ['OFFSET (P)', 'PID', 'TID', 'PPID', 'COMM', 'EXIT_STATE'];
    const rows = (list: readonly Row[]) => list.map((r) => columns.map((c) => String(r[c])));
    assert.deepEqual(rows(results.get('linux.psscan')!), rows(memscope.get('linux.psscan')!));
  });

  it('linux.netfilter lists the same hooks as memscope: namespace, family, hook, priority, handler and module', () => {
    // Is Hooked is left out: 2.11 says True for every handler it can place, memscope as Volatility's later versions (README).
    const rows = (list: readonly Row[]) =>
      list.map((r) => [r['Net NS'], r['Proto'], r['Hook'], r['Priority'], BigInt(String(r['Handler'])) & ADDRESS_MASK, r['Module']]);
    const ours = rows(memscope.get('linux.netfilter')!);
    assert.ok(ours.length > 0, 'the capture has hooks (AppArmor)');
    assert.deepEqual(rows(results.get('linux.netfilter')!), ours);
  });

  it('linux.tty_check names the same tty, receive handler, module and symbol as memscope', () => {
    const rows = (list: readonly Row[]) => list.map((r) => [r['Name'], BigInt(String(r['Address'])) & ADDRESS_MASK, r['Module'], r['Symbol']]);
    assert.deepEqual(rows(results.get('linux.tty_check')!), rows(memscope.get('linux.tty_check')!));
  });

  it('linux.elfs finds the same ELF images in each process as memscope: mappings and file paths', () => {
    const columns = ['PID', 'Process', 'Start', 'End', 'File Path', 'File Output'];
    const rows = (list: readonly Row[]) => list.map((r) => columns.map((c) => String(r[c])));
    const ours = rows(memscope.get('linux.elfs')!);
    assert.ok(ours.length > 0);
    assert.deepEqual(rows(results.get('linux.elfs')!), ours);
  });

  it('linux.malfind finds no injected code on the capture, as memscope', () => {
    assert.deepEqual(results.get('linux.malfind'), []);
    assert.deepEqual(memscope.get('linux.malfind'), []);
  });

  it('linux.library_list finds the same libraries as memscope: none, its processes being statically linked', () => {
    const rows = (list: readonly Row[]) => list.map((r) => [r['Name'], r['Pid'], BigInt(String(r['LoadAddress'])), r['Path']]);
    assert.deepEqual(rows(results.get('linux.library_list')!), rows(memscope.get('linux.library_list')!));
    assert.deepEqual(memscope.get('linux.library_list'), []);
  });

  it('linux.pidhashtable finds the same tasks through the PID IDR as memscope, in the same order', () => {
    const rows = (list: readonly Row[]) => list.map((r) => [BigInt(String(r['OFFSET'])) & ADDRESS_MASK, r['PID'], r['TID'], r['PPID'], r['COMM']]);
    assert.deepEqual(rows(results.get('linux.pidhashtable')!), rows(memscope.get('linux.pidhashtable')!));
  });

  it('linux.pagecache.Files lists the same inodes as memscope: superblocks, mount points, types, sizes, modes, times and paths', () => {
    const columns = [
      'MountPoint',
      'Device',
      'InodeNum',
      'FileType',
      'InodePages',
      'CachedPages',
      'FileMode',
      'AccessTime',
      'ModificationTime',
      'ChangeTime',
      'FilePath',
    ];
    const rows = (list: readonly Row[]) =>
      list.map((r) => [
        BigInt(String(r['SuperblockAddr'])) & ADDRESS_MASK,
        BigInt(String(r['InodeAddr'])) & ADDRESS_MASK,
        ...columns.map((c) => r[c]),
      ]);
    const ours = rows(memscope.get('linux.pagecache.Files')!);
    assert.ok(ours.length > 0);
    assert.deepEqual(rows(results.get('linux.pagecache.Files')!), ours);
  });

  it("linux.pagecache.InodePages lists the same cached pages of init's executable as memscope", () => {
    const columns = ['Index', 'DumpSafe', 'Flags'];
    const rows = (list: readonly Row[]) =>
      list.map((r) => [
        BigInt(String(r['PageVAddr'])) & ADDRESS_MASK,
        BigInt(String(r['PagePAddr'])),
        BigInt(String(r['MappingAddr'])) & ADDRESS_MASK,
        ...columns.map((c) => r[c]),
      ]);
    const ours = rows(memscope.get('linux.pagecache.InodePages')!);
    assert.ok(ours.length > 0);
    assert.deepEqual(rows(inodePages), ours);
  });
});
