import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { hex } from '../../src/io/hex.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import type { CountedWarning } from '../../src/plugins/plugin.ts';
import { collect, collectRun } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

/** Runs a plugin, collecting rows and the warnings of that run. */
async function run(session: Session, plugin: string): Promise<{ rows: number; warnings: readonly CountedWarning[] }> {
  const { rows, warnings } = await collectRun(session, plugin);
  return { rows: rows.length, warnings };
}

const messages = (warnings: readonly CountedWarning[]): string => warnings.map((w) => `[${w.code}] ${w.message} at ${w.address}`).join('\n');

/**
 * The real image with kernel lists smeared the way a capture taken while the kernel ran can be: plugins end
 * with the rows they could read and a warning, never a hang or a crash.
 */
describe('hostile Linux images', { skip }, () => {
  let original: Uint8Array;
  let tasks: bigint[];
  let toPhysical: (vaddr: bigint) => Promise<number>;
  let offsets: { tasks: number; moduleList: number; mm: number; mapleRoot: number; mountParent: number };
  let readU64: (vaddr: bigint) => Promise<bigint>;
  let modulesHead: bigint;
  /** The struct mount at the root of init's mount namespace. */
  let rootMount: bigint;

  before(async () => {
    const path = await linuxFixtureFile('linux-a.raw');
    original = new Uint8Array(await readFile(path));
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(new MemorySource(original, 'linux-a.raw'));
    const d = (await discoverLinux(physical, env.wasm, env.scanner)).discovery!;
    const vm = linuxKernelLayer(physical, env.wasm, d.dtb);
    const table = await loadKernelSymbolTable(vm, d);
    offsets = {
      tasks: table.struct('task_struct')!.fields.get('tasks')!.offset,
      moduleList: table.struct('module')!.fields.get('list')!.offset,
      mm: table.struct('task_struct')!.fields.get('mm')!.offset,
      mapleRoot: table.struct('mm_struct')!.fields.get('mm_mt')!.offset + table.struct('maple_tree')!.fields.get('ma_root')!.offset,
      mountParent: table.struct('mount')!.fields.get('mnt_parent')!.offset,
    };
    readU64 = async (v) => (await vm.readU64(v))!;
    modulesHead = table.symbol('modules')!;
    const field = (struct: string, name: string) => BigInt(table.struct(struct)!.fields.get(name)!.offset);
    const nsproxy = await readU64(table.symbol('init_task')! + field('task_struct', 'nsproxy'));
    rootMount = await readU64((await readU64(nsproxy + field('nsproxy', 'mnt_ns'))) + field('mnt_namespace', 'root'));
    toPhysical = async (v) => (await vm.translate(v))!;
    const session = await openSession(new MemorySource(original, 'linux-a.raw'), env);
    tasks = (await collect(session, 'linux.pslist')).map((r) => r.values[0] as bigint);
  });

  async function patched(patch: (image: Uint8Array) => Promise<void>): Promise<Session> {
    const image = original.slice();
    await patch(image);
    return openSession(new MemorySource(image, 'smeared.raw'), await createNodeEnv({ symbolDirs: [], cache: false }));
  }
  const writeU64 = (image: Uint8Array, at: number, value: bigint) => new DataView(image.buffer).setBigUint64(at, value, true);

  it('a task list that loops back: the tasks before the loop and a SMEAR warning at the entry whose link loops', async () => {
    const link = (task: bigint) => task + BigInt(offsets.tasks);
    const session = await patched(async (image) => writeU64(image, await toPhysical(link(tasks[9]!)), link(tasks[2]!)));
    const { rows, warnings } = await run(session, 'linux.pslist');
    assert.equal(rows, 10);
    const loop = {
      code: 'SMEAR',
      message: `task list (init_task.tasks) loops back to ${hex(link(tasks[2]!))} after 10 entries: walk stopped`,
      address: hex(link(tasks[9]!)),
      count: 1,
    };
    assert.deepEqual(warnings, [loop]);
    const tree = await run(session, 'linux.pstree');
    assert.equal(tree.rows, 10);
    assert.deepEqual(tree.warnings, [loop], 'the second run has its own warning, not the first run’s again');
  });

  it('a task link smeared to garbage: the tasks before it and an UNREADABLE warning at the task it leads to', async () => {
    const garbage = 0x4141414141414141n;
    const session = await patched(async (image) => writeU64(image, await toPhysical(tasks[20]! + BigInt(offsets.tasks)), garbage));
    const { rows, warnings } = await run(session, 'linux.pslist');
    assert.equal(rows, 21);
    assert.deepEqual(warnings, [
      { code: 'UNREADABLE', message: 'task_struct not readable: task list truncated', address: hex(garbage - BigInt(offsets.tasks)), count: 1 },
    ]);
    for (const plugin of ['linux.psaux', 'linux.envars', 'linux.sockstat']) await run(session, plugin);
  });

  it('a smeared root mount: one counted warning per file whose path crosses it, not one per mapping', async () => {
    const garbage = 0x4141414141414100n;
    const session = await patched(async (image) => writeU64(image, await toPhysical(rootMount + BigInt(offsets.mountParent)), garbage));
    const { rows, warnings } = await collectRun(session, 'linux.proc.Maps');
    const paths = rows.map((r) => r.values.at(-1));
    const crossing = warnings.filter((w) => w.message.startsWith('a mount on the path of '));
    assert.ok(crossing.length > 0, messages(warnings));
    for (const w of crossing) {
      assert.equal(w.code, 'UNREADABLE');
      assert.equal(w.address, hex(garbage), 'the unreadable parent mount the smeared root leads to');
      const path = `/${/^a mount on the path of (.*) is not readable/.exec(w.message)![1]}`;
      assert.equal(w.count, paths.filter((p) => p === path).length, `one occurrence per mapping of ${path}`);
    }
    assert.equal(new Set(warnings.map((w) => JSON.stringify([w.code, w.message, w.address]))).size, warnings.length, 'no warning listed twice');
    assert.ok(
      crossing.some((w) => w.count > 1),
      'a file mapped more than once is counted',
    );
  });

  it('memory map trees smeared to garbage or to a loop: the other processes’ maps, SMEAR warnings at the bad nodes, no hang', async () => {
    const user = await Promise.all(tasks.map(async (t) => ({ task: t, mm: await readU64(t + BigInt(offsets.mm)) })));
    const [first, second] = user.filter((u) => u.mm !== 0n);
    const node = (await readU64(second!.mm + BigInt(offsets.mapleRoot))) & ~0xffn;
    // The node as a maple_range_64 (type 2) entry, so that its slots are followed as child nodes.
    const looping = node | (2n << 3n) | 2n;
    const session = await patched(async (image) => {
      // A root pointer to a node of no known type, and a root node whose every slot points back at itself.
      writeU64(image, await toPhysical(first!.mm + BigInt(offsets.mapleRoot)), 0x4141414141414142n);
      writeU64(image, await toPhysical(second!.mm + BigInt(offsets.mapleRoot)), looping);
      for (let slot = 0; slot < 32; slot++) writeU64(image, (await toPhysical(node)) + slot * 8, looping);
    });
    const { rows, warnings } = await run(session, 'linux.proc.Maps');
    assert.ok(rows > 0, 'the intact processes are listed');
    const damaged = (address: bigint) =>
      warnings.filter((w) => w.code === 'SMEAR' && /memory map tree is damaged/.test(w.message) && w.address === hex(address));
    assert.equal(damaged(0x4141414141414100n).length, 1, messages(warnings));
    const looped = damaged(node);
    assert.equal(looped.length, 1, messages(warnings));
    assert.ok(looped[0]!.count > 1, 'every slot leading back to its node is counted in one warning');
  });

  it('a module list pointing at itself mid-way, and a NULL link: partial lists with warnings', async () => {
    const modules = (linuxTruth()['modules'] as unknown[]).length;
    const firstLink = await readU64(modulesHead);
    const looped = await patched(async (image) => writeU64(image, await toPhysical(firstLink), firstLink));
    const a = await run(looped, 'linux.lsmod');
    assert.equal(a.rows, 1);
    assert.deepEqual(
      a.warnings.map((w) => [w.code, w.address]),
      [['SMEAR', hex(firstLink)]],
      messages(a.warnings),
    );
    assert.match(a.warnings[0]!.message, /^module list loops back/);
    const cut = await patched(async (image) => writeU64(image, await toPhysical(firstLink), 0n));
    const b = await run(cut, 'linux.lsmod');
    assert.ok(b.rows < modules);
    assert.deepEqual(
      b.warnings.map((w) => [w.code, w.message, w.address]),
      [['SMEAR', 'module list: link NULL after 1 entries: list truncated', hex(firstLink)]],
      messages(b.warnings),
    );
  });
});
