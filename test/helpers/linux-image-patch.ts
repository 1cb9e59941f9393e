// Node-only test helper: the real linux-a.raw with kernel structures rewritten by a test, opened as a session.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { VirtualMemory } from '../../src/plugins/api.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import { listTasks, type TaskRecord } from '../../src/os/linux/task.ts';
import { linuxFixtureFile } from './linux-fixture.ts';
import { untracked } from './untracked.ts';

const PAGE = 4096;

/** The unmodified raw image and a kernel context over it (to find structures and field offsets). */
export interface LinuxImage {
  readonly bytes: Uint8Array;
  readonly kernel: LinuxKernel;
  /** Shared by the patched copies' sessions: discovery runs once (patches leave its structures alone). */
  readonly discoveryCache: MemoryKeyValueCache;
}

export async function loadLinuxImage(): Promise<LinuxImage> {
  const bytes = new Uint8Array(await readFile(await linuxFixtureFile('linux-a.raw')));
  const env = await createNodeEnv({ symbolDirs: [], cache: false });
  const physical = await openImage(new MemorySource(bytes, 'linux-a.raw'));
  const d = (await discoverLinux(physical, env.wasm, env.scanner)).discovery!;
  const table = await loadKernelSymbolTable(linuxKernelLayer(physical, env.wasm, d.dtb), d);
  return { bytes, kernel: new LinuxKernel(physical, env.wasm, d, table, 0n), discoveryCache: new MemoryKeyValueCache() };
}

/** A copy of the image with fields rewritten at kernel virtual addresses; scratch memory from all-zero pages. */
export class ImagePatch {
  private readonly bytes: Uint8Array;
  private nextScratchPage: number;

  constructor(private readonly image: LinuxImage) {
    this.bytes = image.bytes.slice();
    this.nextScratchPage = image.bytes.length - PAGE;
  }

  /** Writes `data` at `vaddr` of the kernel's address space, or of `space` (a process's). */
  async write(vaddr: bigint, data: Uint8Array, space: VirtualMemory = this.image.kernel.vm): Promise<void> {
    const phys = await space.translate(vaddr);
    if (phys === null) throw new Error(`0x${vaddr.toString(16)} is not mapped`);
    if ((phys % PAGE) + data.length > PAGE) throw new Error(`write at 0x${vaddr.toString(16)} crosses a page`);
    this.bytes.set(data, phys);
  }

  /** Writes `value` into struct field `path` of the structure at `address`, sized as the field. */
  async field(struct: string, address: bigint, path: string, value: number | bigint): Promise<void> {
    const layout = this.image.kernel.layout;
    const size = layout.fieldSize(struct, path);
    const data = new Uint8Array(size);
    let v = BigInt.asUintN(size * 8, BigInt(value));
    for (let i = 0; i < size; i++, v >>= 8n) data[i] = Number(v & 0xffn);
    await this.write(address + BigInt(layout.offset(struct, path)), data);
  }

  /** Takes the list_head at `link` off its list, as list_del does (its own links are left as they were). */
  async unlink(link: bigint): Promise<void> {
    const vm = this.image.kernel.vm;
    const next = await vm.readU64(link);
    const prev = await vm.readU64(link + 8n);
    if (next === null || prev === null) throw new Error(`list_head at 0x${link.toString(16)} is not readable`);
    await this.field('list_head', prev, 'next', next);
    await this.field('list_head', next, 'prev', prev);
  }

  /** A zeroed structure in a page that is all zeros in the image (free memory), by its direct-map address. */
  async scratch(struct: string): Promise<bigint> {
    const size = this.image.kernel.layout.size(struct);
    if (size > PAGE) throw new Error(`${struct} is larger than a page`);
    const pageOffsetBase = (await this.image.kernel.vm.readU64(this.image.kernel.symbolAddress('page_offset_base')))!;
    for (let page = this.nextScratchPage; page > 0; page -= PAGE) {
      const vaddr = pageOffsetBase + BigInt(page);
      if (this.bytes.subarray(page, page + PAGE).some((b) => b !== 0) || (await this.image.kernel.vm.translate(vaddr)) !== page) continue;
      this.nextScratchPage = page - PAGE;
      return vaddr;
    }
    throw new Error('no free page for scratch memory');
  }

  /** The patched copy's bytes (to hand it to another tool). */
  get contents(): Uint8Array {
    return this.bytes;
  }

  async open(name = 'patched.raw'): Promise<Session> {
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    return untracked(() => openSession(new MemorySource(this.bytes, name), { ...env, discoveryCache: this.image.discoveryCache }));
  }
}

/** The image's task list (a warning fails the test). */
export async function imageTasks(image: LinuxImage): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  for await (const t of listTasks(image.kernel, (w) => assert.fail(w.message))) tasks.push(t);
  return tasks;
}

/** Where a test plants process data: the unused end of a process's last resident heap page, from HeapTail.FREE on. */
export class HeapTail {
  /** Where the unused bytes of the page begin. */
  static readonly FREE = 0x700;
  /** Where the next put places its bytes. */
  next: bigint;

  private constructor(
    readonly space: VirtualMemory,
    /** The page's address. */
    readonly page: bigint,
  ) {
    this.next = page + BigInt(HeapTail.FREE);
  }

  /** The last page of `task`'s heap (mm->start_brk..brk) in memory; the page after it is not, and its tail is zeros. */
  static async of(image: LinuxImage, task: TaskRecord): Promise<HeapTail> {
    const { kernel } = image;
    const mm = (await kernel.readStruct('mm_struct', task.mm))!;
    const space = (await kernel.processLayer(mm.u64('pgd')))!;
    let page: bigint | undefined;
    for (let at = mm.u64('start_brk'); at < mm.u64('brk'); at += BigInt(PAGE)) if ((await space.read(at, PAGE)) !== null) page = at;
    assert.ok(page !== undefined, `PID ${task.pid} has no heap page in memory`);
    assert.equal(await space.translate(page + BigInt(PAGE)), null, 'the page after it is not in memory');
    assert.ok(
      (await space.read(page + BigInt(HeapTail.FREE), PAGE - HeapTail.FREE))!.every((b) => b === 0),
      'the planted area is unused (zeros)',
    );
    return new HeapTail(space, page);
  }

  /** Writes `bytes` into `patch` at `at` (default: after the last put); the next put follows 16-byte aligned. Returns where. */
  async put(patch: ImagePatch, bytes: Uint8Array, at = this.next): Promise<bigint> {
    await patch.write(at, bytes, this.space);
    this.next = at + BigInt((bytes.length + 15) & ~15);
    return at;
  }
}
