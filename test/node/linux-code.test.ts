// linux.elfs and linux.malfind on the real Linux capture (BTF + kallsyms only): each process's executable among its
// ELF images (truth.json); malfind's rules on copies of the capture with injected code planted — an anonymous mapping
// made read-write-execute with code written into it, a file mapping's page marked written (dirty) in its page table —
// each found (its hexdump and disassembly those of the bytes written; Volatility 3 reports the same on the same copies),
// and nothing on the clean image.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { firstDirtyPage } from '../../src/os/linux/dirty-pages.ts';
import { kernelIsfText } from '../../src/os/linux/isf-export.ts';
import { listTasks, type TaskRecord } from '../../src/os/linux/task.ts';
import { listVmas } from '../../src/os/linux/vmas.ts';
import type { Vma } from '../../src/plugins/api/linux.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { openLinuxSession, rowsByColumn, runByColumn } from '../helpers/linux-session.ts';
import { llvmDisassembly, needLlvm, parseDisasm } from '../helpers/llvm-disassembly.ts';
import { extractVolatility, volatilitySkipReason } from '../helpers/volatility.ts';

interface TruthProcess {
  readonly pid: number;
  readonly comm: string;
  readonly kernel_thread: boolean;
  readonly exe: string | null;
}

/** push rbp; mov rbp, rsp; xor rax, rax; mov eax, 60; syscall; pop rbp; ret — then int3 to the preview's 64 bytes. */
const CODE = Uint8Array.from([
  0x55,
  0x48,
  0x89,
  0xe5,
  0x48,
  0x31,
  0xc0,
  0xb8,
  0x3c,
  0x00,
  0x00,
  0x00,
  0x0f,
  0x05,
  0x5d,
  0xc3,
  ...Array<number>(48).fill(0xcc),
]);
/** CODE as Volatility's hexdump prints it: a leading newline, 16 bytes a line, then their printable characters. */
const CODE_HEXDUMP = [
  '',
  '55 48 89 e5 48 31 c0 b8 3c 00 00 00 0f 05 5d c3 UH..H1..<.....].',
  ...Array<string>(3).fill(`${'cc '.repeat(16)}${'.'.repeat(16)}`),
].join('\n');
/** CODE disassembled at `start`, in Volatility's line format. */
function codeListing(start: bigint): string {
  const at = (offset: number) => `\n0x${(start + BigInt(offset)).toString(16)}:\t`;
  const code = [
    `${at(0)}push\trbp`,
    `${at(1)}mov\trbp, rsp`,
    `${at(4)}xor\trax, rax`,
    `${at(7)}mov\teax, 0x3c`,
    `${at(12)}syscall\t`,
    `${at(14)}pop\trbp`,
    `${at(15)}ret\t`,
  ];
  return [...code, ...Array.from({ length: 48 }, (_, i) => `${at(16 + i)}int3\t`)].join('');
}
const VM_RWX = 0x7n;
const PTE_PRESENT = 1n;
const PTE_DIRTY = 1n << 6n;
const PTE_LARGE = 1n << 7n;
const PTE_FRAME = 0x000f_ffff_ffff_f000n;

const processes = () => (linuxTruth()['processes'] as TruthProcess[]).filter((p) => !p.kernel_thread);
const named = (comm: string) => processes().find((p) => p.comm === comm)!;
const byPid = (rows: readonly Record<string, Cell>[], pid: number) => rows.filter((r) => r['PID'] === pid);

/** The planted copies: what was planted where, and the patched image. */
interface Planted {
  readonly patch: ImagePatch;
  readonly pid: number;
  readonly vma: Vma;
}

describe('linux.elfs and linux.malfind on the real capture', { skip: linuxFixtureSkipReason() }, () => {
  let session: Session;
  before(async () => {
    session = await openLinuxSession('linux-a.raw');
  });

  it("linux.elfs lists each user process's executable at a mapping of that file, and no kernel thread", async () => {
    const { rows, warnings } = await runByColumn(session, 'linux.elfs');
    assert.deepEqual(warnings, []);
    const maps = await rowsByColumn(session, 'linux.proc.Maps');
    for (const p of processes()) {
      assert.ok(p.exe, `PID ${p.pid} has an executable`);
      const elf = byPid(rows, p.pid).filter((r) => r['File Path'] === p.exe);
      assert.ok(elf.length > 0, `PID ${p.pid} (${p.comm}): ${p.exe} among its ELF images`);
      for (const r of elf) {
        assert.equal(r['Process'], p.comm);
        assert.equal(r['File Output'], 'Disabled');
        const map = byPid(maps, p.pid).find((m) => m['Start'] === r['Start']);
        assert.deepEqual([map?.['End'], map?.['File Path']], [r['End'], p.exe], `PID ${p.pid}: the ELF row is a mapping of ${p.exe}`);
      }
    }
    const users = new Set(processes().map((p) => p.pid));
    assert.deepEqual(
      rows.filter((r) => !users.has(Number(r['PID']))),
      [],
    );
  });

  it('linux.elfs --pid lists that process only', async () => {
    const alpha = named('memimg_alpha');
    const rows = await rowsByColumn(session, 'linux.elfs', { pid: [alpha.pid] });
    assert.ok(rows.length > 0);
    assert.deepEqual(
      rows.filter((r) => r['PID'] !== alpha.pid),
      [],
    );
  });

  it('linux.malfind reports nothing on the clean image', async () => {
    assert.deepEqual(await runByColumn(session, 'linux.malfind'), { rows: [], warnings: [] });
  });

  describe('on copies with injected code planted', () => {
    let image: LinuxImage;
    let rwx: Planted;
    let dirty: Planted;
    before(async () => {
      image = await loadLinuxImage();
      rwx = await plantRwx(image, session, named('memimg_alpha').pid);
      dirty = await plantDirtyPage(image, named('memimg_bravo').pid);
    });

    it('an anonymous mapping made read-write-execute with code written into it: exactly that mapping, with the code’s hexdump and disassembly', async () => {
      const { rows, warnings } = await runByColumn(await rwx.patch.open(), 'linux.malfind');
      assert.deepEqual(warnings, []);
      assert.deepEqual(rows, [
        {
          PID: rwx.pid,
          Process: 'memimg_alpha',
          Start: rwx.vma.start,
          End: rwx.vma.end,
          Protection: 'rwx',
          Hexdump: CODE_HEXDUMP,
          Disasm: codeListing(rwx.vma.start),
        },
      ]);
      assert.deepEqual(await rowsByColumn(await rwx.patch.open(), 'linux.malfind', { pid: [named('memimg_bravo').pid] }), []);
    });

    it('the expected disassembly is LLVM’s (llvm-objdump on the same bytes)', { skip: needLlvm() }, () => {
      assert.deepEqual(parseDisasm(codeListing(rwx.vma.start)), llvmDisassembly(CODE, rwx.vma.start));
    });

    it('an executable file mapping whose page table marks its first page written (dirty): exactly that mapping, read-execute', async () => {
      const rows = await rowsByColumn(await dirty.patch.open(), 'linux.malfind');
      assert.deepEqual(
        rows.map((r) => [r['PID'], r['Process'], r['Start'], r['End'], r['Protection']]),
        [[dirty.pid, 'memimg_bravo', dirty.vma.start, dirty.vma.end, 'r-x']],
      );
    });

    it('Volatility 3 reports the same mappings with the same hexdump on the same copies', { skip: volatilitySkipReason() }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'memscope-malfind-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const volatility = extractVolatility(dir);
      mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
      writeFileSync(join(dir, 'symbols/linux/memscope-linux-a.json'), kernelIsfText(image.kernel, 'test'));
      const columns = ['PID', 'Process', 'Start', 'End', 'Protection', 'Hexdump'];
      for (const [name, planted] of [
        ['rwx.raw', rwx],
        ['dirty.raw', dirty],
      ] as const) {
        const image = join(dir, name);
        writeFileSync(image, planted.patch.contents);
        const theirs = (await volatility(join(dir, 'symbols'), image, 'linux.malfind')) as Record<string, unknown>[];
        const ours = await rowsByColumn(await planted.patch.open(), 'linux.malfind');
        const cells = (rows: readonly Record<string, unknown>[]) => rows.map((r) => columns.map((c) => String(r[c])));
        // Volatility's JSON renderer writes a hexdump in double quotes (quoted_optional).
        const unquoted = cells(theirs).map((row) => row.map((v) => v.replace(/^"([^]*)"$/, '$1')));
        assert.deepEqual(unquoted, cells(ours), name);
      }
    });
  });
});

/** A copy where an anonymous mapping of process `pid` (the first whose first page is in memory) is read-write-execute and starts with CODE. */
async function plantRwx(image: LinuxImage, session: Session, pid: number): Promise<Planted> {
  const { task, vmas } = await mappingsOf(image, pid);
  const layer = (await image.kernel.processLayer((await image.kernel.readStruct('mm_struct', task.mm))!.u64('pgd')))!;
  // Anonymous as /proc/<pid>/maps shows it: no file, no name ([heap], [stack], [vdso] left out).
  const anonymous = (await rowsByColumn(session, 'linux.proc.Maps', { pid: [pid] })).filter((m) => m['File Path'] === '');
  for (const m of anonymous) {
    const vma = vmas.find((v) => v.start === m['Start'])!;
    const physical = await layer.translate(vma.start);
    if (physical === null) continue;
    const patch = new ImagePatch(image);
    await patch.field('vm_area_struct', vma.address, 'vm_flags', (vma.flags & ~0xfn) | VM_RWX);
    await patch.write((await directMap(image)) + BigInt(physical), CODE);
    return { patch, pid, vma: { ...vma, flags: (vma.flags & ~0xfn) | VM_RWX } };
  }
  throw new Error(`PID ${pid} has no anonymous mapping in memory`);
}

/** A copy where the page-table entry of the first page of process `pid`'s read-execute file mapping has the dirty bit. */
async function plantDirtyPage(image: LinuxImage, pid: number): Promise<Planted> {
  const { task, vmas } = await mappingsOf(image, pid);
  const vma = vmas.find((v) => v.file !== 0n && (v.flags & 0x7n) === 0x5n)!;
  const pgd = (await image.kernel.readStruct('mm_struct', task.mm))!.u64('pgd');
  // The entry walked here by hand, independently of memscope's walkers: PML4, PDPT, PD, PT.
  const physical = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
  let table = BigInt((await image.kernel.vm.translate(pgd))!);
  let entryAt = 0n;
  let entry = 0n;
  for (const shift of [39n, 30n, 21n, 12n]) {
    entryAt = table + ((vma.start >> shift) & 511n) * 8n;
    entry = physical.getBigUint64(Number(entryAt), true);
    assert.ok(entry & PTE_PRESENT, `the entry of level ${shift} is present`);
    if (shift !== 12n) assert.equal(entry & PTE_LARGE, 0n, 'no large page');
    table = entry & PTE_FRAME;
  }
  assert.equal(entry & PTE_DIRTY, 0n, 'the clean image has the page not written');
  const patch = new ImagePatch(image);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, entry | PTE_DIRTY, true);
  await patch.write((await directMap(image)) + entryAt, bytes);
  return { patch, pid, vma };
}

/** The task with this PID and its mappings, read from the unmodified image. */
async function mappingsOf(image: LinuxImage, pid: number): Promise<{ task: TaskRecord; vmas: Vma[] }> {
  for await (const task of listTasks(image.kernel, () => undefined)) {
    if (task.pid === pid) return { task, vmas: await listVmas(image.kernel, task, () => undefined) };
  }
  throw new Error(`no PID ${pid}`);
}

/** page_offset_base: the kernel address of physical address 0 in the direct map. */
async function directMap(image: LinuxImage): Promise<bigint> {
  return (await image.kernel.vm.readU64(image.kernel.symbolAddress('page_offset_base')))!;
}

describe("malfind's dirty-page search on hand-built page tables", () => {
  // PML4 at 0x1000 → PDPT 0x2000 → PD 0x3000; the PD's entry 2 (0x400000) → PT 0x4000, entry 3 (0x600000) a 2 MiB page.
  const PML4 = 0x1000;
  const PT = 0x4000;
  async function tables(pte: readonly bigint[], large: bigint, pdBeyond = false) {
    const bytes = new Uint8Array(0x10000);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(PML4, 0x2000n | PTE_PRESENT, true);
    view.setBigUint64(0x2000, 0x3000n | PTE_PRESENT, true);
    view.setBigUint64(0x3000 + 2 * 8, (pdBeyond ? 0x7fff_f000n : BigInt(PT)) | PTE_PRESENT, true);
    view.setBigUint64(0x3000 + 3 * 8, large, true);
    pte.forEach((e, i) => view.setBigUint64(PT + i * 8, e, true));
    return { physical: await openImage(new MemorySource(bytes, 'tables.raw')), dtb: PML4 };
  }
  const page = (n: number, flags: bigint) => (0x8000n + BigInt(n) * 0x1000n) | flags;

  it('finds the first dirty page, looking no further than the first page not mapped', async () => {
    const clean = await tables([page(0, 1n), page(1, 1n), 0n, page(3, 1n | PTE_DIRTY)], 0n);
    assert.deepEqual(await firstDirtyPage(clean, 0x400000n, 0x404000n, 16), { page: null, limited: false });
    const written = await tables([page(0, 1n), page(1, 1n | PTE_DIRTY), 0n], 0n);
    assert.deepEqual(await firstDirtyPage(written, 0x400000n, 0x404000n, 16), { page: 0x401000n, limited: false });
  });

  it('reads the dirty bit of a 2 MiB page from its PD entry', async () => {
    const large = 0x200000n | PTE_PRESENT | PTE_LARGE;
    assert.deepEqual(await firstDirtyPage(await tables([], large | PTE_DIRTY), 0x601000n, 0x602000n, 16), { page: 0x601000n, limited: false });
    assert.deepEqual(await firstDirtyPage(await tables([], large), 0x600000n, 0x800000n, 1024), { page: null, limited: false });
  });

  it('stops at the page limit with `limited`, and at a table beyond physical memory as at a page not mapped', async () => {
    const clean = await tables([page(0, 1n), page(1, 1n), page(2, 1n | PTE_DIRTY)], 0n);
    assert.deepEqual(await firstDirtyPage(clean, 0x400000n, 0x403000n, 2), { page: null, limited: true });
    assert.deepEqual(await firstDirtyPage(await tables([], 0n, true), 0x400000n, 0x403000n, 16), { page: null, limited: false });
  });
});
