// linux.library_list: the dynamic loader's link maps (glibc's struct link_map: l_addr, l_name, l_ld, l_next, l_prev)
// reached from each mapped ELF image's PT_DYNAMIC → DT_PLTGOT → GOT[1]. The real capture's processes are static
// (busybox and the memimg_* programs: no PT_DYNAMIC), so a copy of it gets a planted list: memimg_alpha's
// PT_GNU_STACK program header rewritten as a PT_DYNAMIC whose DT_PLTGOTs lead to link maps written into its resident
// heap page; the rows are the libraries planted, and Volatility 3's linux.library_list reports the same on that copy.
// The walk's bounds and the ELF layouts the capture lacks (ET_DYN, 32-bit) are tested on synthetic memory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kernelIsfText } from '../../src/os/linux/isf-export.ts';
import type { TaskRecord } from '../../src/os/linux/task.ts';
import type { RunWarning, VirtualMemory } from '../../src/plugins/api.ts';
import { PT_DYNAMIC, readElfHeader, readProgramHeaders } from '../../src/plugins/linux/elf-header.ts';
import { linkMaps, MAX_DYNAMIC_ENTRIES, MAX_LINK_MAPS, MAX_PROGRAM_HEADER_BYTES, type LinkMap } from '../../src/plugins/linux/elf-link-maps.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { HeapTail, ImagePatch, imageTasks, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { openLinuxSession, runByColumn } from '../helpers/linux-session.ts';
import { extractVolatility, volatilitySkipReason } from '../helpers/volatility.ts';

const PAGE = 0x1000;
const PT_GNU_STACK = 0x6474e551;
const DT_NULL = 0n;
const DT_PLTGOT = 3n;
const DT_DEBUG = 21n;
const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(`${s}\0`);
const hex = (n: bigint) => `0x${n.toString(16)}`;

/** Little-endian words of `size` bytes. */
function words(size: 4 | 8, ...values: bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => (size === 4 ? view.setUint32(i * size, Number(v), true) : view.setBigUint64(i * size, v, true)));
  return bytes;
}

/** A link_map (l_addr, l_name, l_ld, l_next, l_prev) in `size`-byte words. */
const linkMap = (size: 4 | 8, lAddr: bigint, lName: bigint, next: bigint) => words(size, lAddr, lName, 0n, next, 0n);

/** A planted link map: its load bias and name (null: l_name NULL; 'cut': a name whose 256 bytes run off the page). */
interface Planted {
  readonly lAddr: bigint;
  readonly name: string | null | 'cut';
}
const LIBC: Planted = { lAddr: 0x7f3a_1c20_0000n, name: '/lib/x86_64-linux-gnu/libc.so.6' };
const LIBM: Planted = { lAddr: 0x7f3a_1c5e_1000n, name: '/lib/x86_64-linux-gnu/libm.so.6' };
const EVIL: Planted = { lAddr: 0x7f3a_1c80_0000n, name: '/dev/shm/.x/libevil.so' };
/** Left out: the executable (l_addr 0, l_name ""), l_name NULL, a load address listed before, an empty name, a name not all readable. */
const MAIN: Planted = { lAddr: 0n, name: '' };
const NO_NAME: Planted = { lAddr: 0x7f3a_1ca0_0000n, name: null };
const LIBC_AGAIN: Planted = { lAddr: LIBC.lAddr, name: '/usr/lib/libc-again.so' };
const EMPTY: Planted = { lAddr: 0x7f3a_1cc0_0000n, name: '' };
const CUT: Planted = { lAddr: 0x7f3a_1ce0_0000n, name: 'cut' };
/** The chain from GOT[1] in l_next order; the last one's l_next loops back to the second. */
const CHAIN = [MAIN, LIBC, LIBM, LIBC_AGAIN, NO_NAME, EMPTY, CUT, EVIL] as const;
const EXPECTED = [LIBC, LIBM, EVIL] as const;
const CUT_NAME = '/lib/x86_64-linux-gnu/libcut.so.1';

interface PlantedCopy {
  readonly patch: ImagePatch;
  readonly task: TaskRecord;
  /** Where each of CHAIN is. */
  readonly maps: readonly bigint[];
}

describe('linux.library_list on the real capture', { skip: linuxFixtureSkipReason() }, () => {
  let image: LinuxImage;
  /** memimg_alpha, given the planted list, and memimg_bravo. */
  let alpha: TaskRecord;
  let bravo: TaskRecord;
  before(async () => {
    image = await loadLinuxImage();
    const tasks = await imageTasks(image);
    [alpha, bravo] = ['memimg_alpha', 'memimg_bravo'].map((comm) => tasks.find((t) => t.comm === comm)!) as [TaskRecord, TaskRecord];
  });

  it('finds no library on the unmodified image, without warnings: its processes are statically linked', async () => {
    const session = await openLinuxSession('linux-a.raw');
    const run = await runByColumn(session, 'linux.library_list').finally(() => session.close());
    assert.deepEqual(run, { rows: [], warnings: [] });
  });

  describe('a link map list planted in a process', () => {
    let planted: PlantedCopy;
    before(async () => {
      planted = await plantLinkMaps(image, alpha);
    });

    it('lists the libraries planted with their load addresses, each once, and warns of the loop', async () => {
      const session = await planted.patch.open();
      try {
        const { rows, warnings } = await runByColumn(session, 'linux.library_list');
        assert.deepEqual(
          rows,
          EXPECTED.map((l) => ({ Name: 'memimg_alpha', Pid: planted.task.pid, LoadAddress: l.lAddr, Path: l.name })),
        );
        assert.deepEqual(
          warnings.map((w) => [w.code, w.message]),
          [
            [
              'SMEAR',
              `PID ${planted.task.pid} (memimg_alpha) ELF at 0x400000: the link_map list loops back to ${hex(planted.maps[1]!)}: walk stopped`,
            ],
          ],
        );
        assert.equal((await runByColumn(session, 'linux.library_list', { pid: [planted.task.pid] })).rows.length, EXPECTED.length);
        assert.deepEqual((await runByColumn(session, 'linux.library_list', { pid: [bravo.pid] })).rows, []);
      } finally {
        await session.close();
      }
    });

    it('Volatility 3 reports the same libraries on the same copy', { skip: volatilitySkipReason() }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'memscope-library-list-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const volatility = extractVolatility(dir);
      mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
      writeFileSync(join(dir, 'symbols/linux/memscope-linux-a.json'), kernelIsfText(image.kernel, 'test'));
      const file = join(dir, 'planted.raw');
      writeFileSync(file, planted.patch.contents);
      const theirs = (await volatility(join(dir, 'symbols'), file, 'linux.library_list')) as Record<string, unknown>[];
      const session = await planted.patch.open();
      try {
        const ours = (await runByColumn(session, 'linux.library_list')).rows;
        const cells = (rows: readonly Record<string, unknown>[]) =>
          rows.map((r) => [r['Name'], r['Pid'], BigInt(String(r['LoadAddress'])), r['Path']]);
        assert.ok(ours.length > 0);
        assert.deepEqual(cells(theirs), cells(ours));
      } finally {
        await session.close();
      }
    });
  });
});

/**
 * A copy where `task`'s executable has its PT_GNU_STACK program header turned into a PT_DYNAMIC at the unused end
 * of its last resident heap page (the page after it not in memory), holding: three GOTs, whose GOT[1] is CHAIN's first link map, NULL (as with BIND_NOW) and EVIL's
 * (joining the first chain: no loop); the dynamic entries DT_DEBUG, a DT_PLTGOT for each GOT and DT_NULL; CHAIN's
 * link maps and names, CUT's name in the page's last bytes.
 */
async function plantLinkMaps(image: LinuxImage, task: TaskRecord): Promise<PlantedCopy> {
  const heap = await HeapTail.of(image, task);
  const { space, page } = heap;
  const elf = (await readElfHeader(space, 0x400000n))!;
  const headers = (await readProgramHeaders(space, elf))!;
  assert.equal(elf.word, 8);
  assert.ok(!headers.some((h) => h.type === PT_DYNAMIC), 'the executable is static');
  const stack = headers.findIndex((h) => h.type === PT_GNU_STACK);
  assert.ok(stack >= 0);

  const patch = new ImagePatch(image);
  const put = (bytes: Uint8Array, at?: bigint) => heap.put(patch, bytes, at);
  const cutName = page + BigInt(PAGE - 48);
  const names = new Map<Planted, bigint>();
  for (const m of CHAIN) if (m.name !== null && m.name !== 'cut') names.set(m, await put(text(m.name)));
  const gots = [await put(words(8, 0n, 0n, 0n)), await put(words(8, 0n, 0n, 0n)), await put(words(8, 0n, 0n, 0n))];
  const dynamic = await put(words(8, DT_DEBUG, 0n, DT_PLTGOT, gots[0]!, DT_PLTGOT, gots[1]!, DT_PLTGOT, gots[2]!, DT_NULL, 0n));
  const maps = CHAIN.map((_, i) => heap.next + BigInt(i * 48));
  for (const [i, m] of CHAIN.entries()) {
    const name = m.name === null ? 0n : m.name === 'cut' ? cutName : names.get(m)!;
    await put(linkMap(8, m.lAddr, name, maps[i + 1] ?? maps[1]!), maps[i]);
  }
  assert.ok(heap.next <= cutName, 'the planted structures fit before the cut name');
  await put(text(CUT_NAME), cutName);
  await patch.write(gots[0]! + 8n, words(8, maps[0]!), space);
  await patch.write(gots[2]! + 8n, words(8, maps[CHAIN.indexOf(EVIL)]!), space);
  // The program header: p_type (at 0), p_vaddr (at 0x10).
  const header = elf.base + elf.phoff + BigInt(stack * elf.phentsize);
  await patch.write(header, words(4, BigInt(PT_DYNAMIC)), space);
  await patch.write(header + 0x10n, words(8, dynamic), space);
  return { patch, task, maps };
}

describe('the link map walk on synthetic memory', () => {
  const BASE = 0x5655_6000n;
  const ABOUT = 'PID 7 (t)';
  const ELF_AT = `${ABOUT} ELF at ${hex(BASE)}`;
  const ET_EXEC = 2;
  const ET_DYN = 3;

  /** `pages` pages at BASE, those numbered in `holes` not readable; `put` writes at an address. */
  function memory(pages: number, holes: readonly number[] = []) {
    const bytes = new Uint8Array(pages * PAGE);
    const read = async (address: bigint, length: number) => {
      const start = Number(address - BASE);
      if (address < BASE || start + length > bytes.length) return null;
      for (let p = Math.floor(start / PAGE); p * PAGE < start + length; p++) if (holes.includes(p)) return null;
      return bytes.slice(start, start + length);
    };
    return { space: { read } as unknown as VirtualMemory, put: (at: bigint, data: Uint8Array) => bytes.set(data, Number(at - BASE)) };
  }

  /**
   * An ELF header (the ELF specification's layout: e_ident, e_type at 16; e_phoff at 0x1c / 0x20, e_phnum at 0x2c /
   * 0x38) with its program headers after it (p_type at 0, p_vaddr at 8 / 0x10; 32 / 56 bytes each).
   */
  function elfImage(size: 4 | 8, type: number, headers: readonly (readonly [number, bigint])[], phnum = headers.length): Uint8Array {
    const [phoff, entry] = size === 4 ? [0x34, 32] : [0x40, 56];
    const bytes = new Uint8Array(phoff + headers.length * entry);
    const view = new DataView(bytes.buffer);
    bytes.set([0x7f, 0x45, 0x4c, 0x46, size === 4 ? 1 : 2, 1, 1]);
    view.setUint16(16, type, true);
    if (size === 4) view.setUint32(0x1c, phoff, true);
    else view.setBigUint64(0x20, BigInt(phoff), true);
    view.setUint16(size === 4 ? 0x2c : 0x38, phnum, true);
    headers.forEach(([t, vaddr], i) => {
      view.setUint32(phoff + i * entry, t, true);
      bytes.set(words(size, vaddr), phoff + i * entry + (size === 4 ? 8 : 0x10));
    });
    return bytes;
  }

  async function walk(space: VirtualMemory): Promise<{ maps: LinkMap[]; warnings: RunWarning[] }> {
    const warnings: RunWarning[] = [];
    const maps: LinkMap[] = [];
    for await (const m of linkMaps(space, (await readElfHeader(space, BASE))!, (w) => warnings.push(w), ABOUT)) maps.push(m);
    return { maps, warnings };
  }

  /** `count` link maps from `at`, `stride` bytes apart, each with l_addr 0x1000 * (i + 1) and l_name 0x100 + i, the last one's l_next NULL. */
  function chain(put: (at: bigint, data: Uint8Array) => void, size: 4 | 8, at: bigint, count: number, stride = 0x40): LinkMap[] {
    return Array.from({ length: count }, (_, i) => {
      const map = { address: at + BigInt(i * stride), lAddr: 0x1000n * BigInt(i + 1), lName: 0x100n + BigInt(i) };
      put(map.address, linkMap(size, map.lAddr, map.lName, i + 1 < count ? map.address + BigInt(stride) : 0n));
      return map;
    });
  }

  for (const size of [4, 8] as const) {
    it(`finds the dynamic section of an ET_DYN image at its base plus p_vaddr, of an ET_EXEC one at p_vaddr (${size * 8}-bit)`, async () => {
      for (const [type, vaddr] of [
        [ET_DYN, 0x1000n],
        [ET_EXEC, BASE + 0x1000n],
      ] as const) {
        const { space, put } = memory(3);
        put(BASE, elfImage(size, type, [[PT_DYNAMIC, vaddr]]));
        put(BASE + 0x1000n, words(size, DT_DEBUG, 0n, DT_PLTGOT, BASE + 0x2000n, DT_NULL, 0n));
        put(BASE + 0x2000n, words(size, 0n, BASE + 0x2100n));
        const maps = chain(put, size, BASE + 0x2100n, 3);
        assert.deepEqual(await walk(space), { maps, warnings: [] });
      }
    });
  }

  it(`reads at most ${MAX_LINK_MAPS} link maps of an image, saying so`, async () => {
    const stride = 40;
    const { space, put } = memory(2 + Math.ceil(((MAX_LINK_MAPS + 1) * stride) / PAGE));
    put(BASE, elfImage(8, ET_DYN, [[PT_DYNAMIC, 0x100n]]));
    put(BASE + 0x100n, words(8, DT_PLTGOT, BASE + 0x200n, DT_NULL, 0n));
    put(BASE + 0x200n, words(8, 0n, BASE + BigInt(PAGE)));
    const maps = chain(put, 8, BASE + BigInt(PAGE), MAX_LINK_MAPS + 1, stride);
    assert.deepEqual(await walk(space), {
      maps: maps.slice(0, MAX_LINK_MAPS),
      warnings: [{ code: 'LIMIT', message: `${ELF_AT}: more than ${MAX_LINK_MAPS} link_maps: the rest not read` }],
    });
  });

  it(`reads at most ${MAX_DYNAMIC_ENTRIES} dynamic entries and ${MAX_PROGRAM_HEADER_BYTES} bytes of program headers, saying so`, async () => {
    const { space, put } = memory(20);
    const phnum = 0xffff;
    const read = Math.floor(MAX_PROGRAM_HEADER_BYTES / 56);
    put(BASE, elfImage(8, ET_DYN, [[PT_DYNAMIC, 0x11000n]], phnum));
    // A DT_PLTGOT first, DT_DEBUG to the bound, then a DT_PLTGOT past it.
    const entries = [DT_PLTGOT, BASE + 0x12000n, ...Array.from({ length: MAX_DYNAMIC_ENTRIES - 1 }, () => [DT_DEBUG, 0n]).flat()];
    put(BASE + 0x11000n, words(8, ...entries, DT_PLTGOT, BASE + 0x12100n, DT_NULL, 0n));
    put(BASE + 0x12000n, words(8, 0n, BASE + 0x12200n));
    put(BASE + 0x12100n, words(8, 0n, BASE + 0x12400n));
    const maps = chain(put, 8, BASE + 0x12200n, 2);
    chain(put, 8, BASE + 0x12400n, 2);
    assert.deepEqual(await walk(space), {
      maps,
      warnings: [
        { code: 'LIMIT', message: `${ELF_AT}: ${phnum} program headers; only the first ${read} read` },
        {
          code: 'LIMIT',
          message: `${ELF_AT}: no DT_NULL among the first ${MAX_DYNAMIC_ENTRIES} dynamic entries at ${hex(BASE + 0x11000n)}: the rest not read`,
        },
      ],
    });
  });

  it('ends a chain at an unreadable l_next, and the image at an unreadable link map or dynamic entry, saying so', async () => {
    const hole = BASE + 3n * BigInt(PAGE);
    const image = (dynamic: bigint) => {
      const m = memory(4, [3]);
      m.put(BASE, elfImage(8, ET_DYN, [[PT_DYNAMIC, dynamic - BASE]]));
      return m;
    };
    // GOT 1 leads to a link map whose l_next lies in the hole: GOT 2's chain is still walked.
    const next = image(BASE + 0x1000n);
    next.put(BASE + 0x1000n, words(8, DT_PLTGOT, BASE + 0x2000n, DT_PLTGOT, BASE + 0x2100n, DT_NULL, 0n));
    next.put(BASE + 0x2000n, words(8, 0n, hole - 16n));
    next.put(BASE + 0x2100n, words(8, 0n, BASE + 0x2200n));
    next.put(hole - 16n, words(8, 0x7000n, 0x7100n));
    const second = chain(next.put, 8, BASE + 0x2200n, 1);
    assert.deepEqual(await walk(next.space), {
      maps: [{ address: hole - 16n, lAddr: 0x7000n, lName: 0x7100n }, ...second],
      warnings: [{ code: 'UNREADABLE', message: `${ELF_AT}: the l_next of the link_map at ${hex(hole - 16n)} is not readable: list cut there` }],
    });
    // GOT 1's chain runs into the hole: GOT 2's is not walked.
    const map = image(BASE + 0x1000n);
    map.put(BASE + 0x1000n, words(8, DT_PLTGOT, BASE + 0x2000n, DT_PLTGOT, BASE + 0x2100n, DT_NULL, 0n));
    map.put(BASE + 0x2000n, words(8, 0n, BASE + 0x2200n));
    map.put(BASE + 0x2100n, words(8, 0n, BASE + 0x2800n));
    const first = chain(map.put, 8, BASE + 0x2200n, 1);
    map.put(BASE + 0x2200n, linkMap(8, first[0]!.lAddr, first[0]!.lName, hole));
    chain(map.put, 8, BASE + 0x2800n, 1);
    assert.deepEqual(await walk(map.space), {
      maps: first,
      warnings: [{ code: 'UNREADABLE', message: `${ELF_AT}: the link_map at ${hex(hole)} is not readable: list cut there` }],
    });
    // The dynamic section's second entry is in the hole: its first DT_PLTGOT is walked.
    const dynamic = image(hole - 16n);
    dynamic.put(hole - 16n, words(8, DT_PLTGOT, BASE + 0x2000n));
    dynamic.put(BASE + 0x2000n, words(8, 0n, BASE + 0x2200n));
    const maps = chain(dynamic.put, 8, BASE + 0x2200n, 1);
    assert.deepEqual(await walk(dynamic.space), {
      maps,
      warnings: [{ code: 'UNREADABLE', message: `${ELF_AT}: dynamic entry 1 at ${hex(hole)} is not readable: the rest not read` }],
    });
  });
});
