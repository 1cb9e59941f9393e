import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

/** Runs a plugin, collecting rows and the warnings of that run. */
async function run(session: Session, plugin: string): Promise<{ rows: number; warnings: readonly string[] }> {
  const rows = await collect(session, plugin);
  return { rows: rows.length, warnings: session.warnings };
}

/**
 * The real image with kernel lists smeared the way a capture taken while the kernel ran can be: plugins end
 * with the rows they could read and a warning, never a hang or a crash.
 */
describe('hostile Linux images', { skip }, () => {
  let original: Uint8Array;
  let tasks: bigint[];
  let toPhysical: (vaddr: bigint) => Promise<number>;
  let offsets: { tasks: number; moduleList: number; mm: number; mapleRoot: number };
  let readU64: (vaddr: bigint) => Promise<bigint>;
  let modulesHead: bigint;

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
    };
    readU64 = async (v) => (await vm.readU64(v))!;
    modulesHead = table.symbol('modules')!;
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

  it('a task list that loops back: the tasks before the loop and a warning', async () => {
    const session = await patched(async (image) => writeU64(image, await toPhysical(tasks[9]! + BigInt(offsets.tasks)), tasks[2]! + BigInt(offsets.tasks)));
    const { rows, warnings } = await run(session, 'linux.pslist');
    assert.equal(rows, 10);
    assert.ok(warnings.some((w) => /task list .* loops back/.test(w)), warnings.join('\n'));
    const tree = await run(session, 'linux.pstree');
    assert.equal(tree.rows, 10);
  });

  it('a task link smeared to garbage: the tasks before it and a warning', async () => {
    const session = await patched(async (image) => writeU64(image, await toPhysical(tasks[20]! + BigInt(offsets.tasks)), 0x4141414141414141n));
    const { rows, warnings } = await run(session, 'linux.pslist');
    assert.equal(rows, 21);
    assert.ok(warnings.some((w) => /not readable: task list truncated/.test(w)), warnings.join('\n'));
    for (const plugin of ['linux.psaux', 'linux.envars', 'linux.sockstat']) await run(session, plugin);
  });

  it('memory map trees smeared to garbage or to a loop: the other processes’ maps, warnings, no hang', async () => {
    const user = await Promise.all(tasks.map(async (t) => ({ task: t, mm: await readU64(t + BigInt(offsets.mm)) })));
    const [first, second] = user.filter((u) => u.mm !== 0n);
    const session = await patched(async (image) => {
      writeU64(image, await toPhysical(first!.mm + BigInt(offsets.mapleRoot)), 0x4141414141414142n);
      // A root node whose every slot points back at itself.
      const root = await readU64(second!.mm + BigInt(offsets.mapleRoot));
      const node = root & ~0xffn;
      for (let slot = 0; slot < 32; slot++) writeU64(image, await toPhysical(node) + slot * 8, root);
    });
    const { rows, warnings } = await run(session, 'linux.proc.Maps');
    assert.ok(rows > 0, 'the intact processes are listed');
    assert.ok(warnings.some((w) => /memory map tree/.test(w)), warnings.join('\n'));
  });

  it('a module list pointing at itself mid-way, and a NULL link: partial lists with warnings', async () => {
    const modules = (linuxTruth()['modules'] as unknown[]).length;
    const looped = await patched(async (image) => {
      const firstLink = new DataView(image.buffer).getBigUint64(await toPhysical(modulesHead), true);
      writeU64(image, await toPhysical(firstLink), firstLink);
    });
    const a = await run(looped, 'linux.lsmod');
    assert.equal(a.rows, 1);
    assert.ok(a.warnings.some((w) => /module list loops back/.test(w)), a.warnings.join('\n'));
    const cut = await patched(async (image) => {
      const firstLink = new DataView(image.buffer).getBigUint64(await toPhysical(modulesHead), true);
      writeU64(image, await toPhysical(firstLink), 0n);
    });
    const b = await run(cut, 'linux.lsmod');
    assert.ok(b.rows < modules && b.warnings.some((w) => /module list: link NULL/.test(w)), b.warnings.join('\n'));
  });
});
