import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MemorySpace } from '../../src/engine/engine-api.ts';
import type { Session } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect, LINUX_CAPTURES, openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';

interface TruthProcess {
  pid: number;
  ppid: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  comm: string;
  state: string;
  kernel_thread: boolean;
  start_time_ticks: number;
  cmdline: string;
  argv: string[];
  fds: { fd: number; target: string }[];
  exe: string | null;
  env: Record<string, string>;
}
interface TruthKernel {
  version_string: string;
  release: string;
  hostname: string;
  cmdline: string;
  kaslr_offset: string;
  derived_from_raw: { init_top_pgt_phys: string };
}

const skip = linuxFixtureSkipReason();
const truthProcesses = (): TruthProcess[] => linuxTruth()['processes'] as TruthProcess[];
const kernelTruth = (): TruthKernel => linuxTruth()['kernel'] as TruthKernel;

for (const capture of LINUX_CAPTURES) {
  describe(`Linux processes from ${capture} (no symbol files)`, { skip }, () => {
    let session: Session;
    before(async () => {
      session = await openLinuxSession(capture);
    });
    after(() => session?.close());

    test('the image is recognised as Linux with the kernel the guest ran', () => {
      const s = session.summary;
      assert.equal(s.os, 'linux');
      assert.equal(s.osVersion, `Linux ${kernelTruth().release}`);
      assert.equal(BigInt(s.dtb!), BigInt(kernelTruth().derived_from_raw.init_top_pgt_phys));
      assert.match(s.symbols!, /BTF/);
    });

    test('linux.info: banner, KASLR offset, DTB, hostname and kernel command line', async () => {
      const info = new Map((await collect(session, 'linux.info')).map((r) => [r.values[0], r.values[1]]));
      const k = kernelTruth();
      assert.equal(info.get('Banner'), k.version_string);
      assert.equal(BigInt(info.get('KASLR offset') as string), BigInt(k.kaslr_offset));
      assert.equal(BigInt(info.get('DTB (init_top_pgt)') as string), BigInt(k.derived_from_raw.init_top_pgt_phys));
      assert.equal(info.get('Hostname'), k.hostname);
      assert.equal(info.get('Kernel command line'), k.cmdline);
    });

    test('linux.pslist lists exactly the processes alive in the guest, with ids, credentials and state', async () => {
      const rows = await rowsByColumn(session, 'linux.pslist');
      const got = rows.map((r) => ({
        pid: r['PID'],
        ppid: r['PPID'],
        comm: r['COMM'],
        uid: r['UID'],
        euid: r['EUID'],
        gid: r['GID'],
        egid: r['EGID'],
        kernel_thread: r['KERNEL THREAD'],
      }));
      const want = truthProcesses().map((p) => ({
        pid: p.pid,
        ppid: p.ppid,
        comm: p.comm,
        uid: p.uid,
        euid: p.euid,
        gid: p.gid,
        egid: p.egid,
        kernel_thread: p.kernel_thread,
      }));
      const order = (a: { pid: Cell }, b: { pid: Cell }) => Number(a.pid) - Number(b.pid);
      assert.deepEqual(got.sort(order), want.sort(order));
      for (const r of rows) assert.equal(r['PID'], r['TID'], 'without --threads only thread-group leaders are listed');
      // CREATION TIME (boot time + start_boottime, whole seconds) against /proc's start times in clock ticks (USER_HZ 100).
      const created = new Map(rows.map((r) => [r['PID'], Date.parse(String(r['CREATION TIME'])) / 1000]));
      const init = truthProcesses().find((p) => p.pid === 1)!;
      for (const p of truthProcesses()) {
        const apart = created.get(p.pid)! - created.get(1)!;
        assert.ok(Math.abs(apart - (p.start_time_ticks - init.start_time_ticks) / 100) <= 1, `PID ${p.pid} started ${apart} s after init`);
      }
    });

    test('linux.pstree nests every process under its parent', async () => {
      const rows = await collect(session, 'linux.pstree');
      const pids = rows.map((r) => r.values[1]);
      assert.deepEqual(
        [...pids].sort((a, b) => Number(a) - Number(b)),
        truthProcesses()
          .map((p) => p.pid)
          .sort((a, b) => a - b),
      );
      const ppidOf = new Map(truthProcesses().map((p) => [p.pid, p.ppid]));
      const stack: Cell[] = [];
      for (const r of rows) {
        stack.length = r.depth;
        if (r.depth > 0) assert.equal(ppidOf.get(Number(r.values[1])), stack[r.depth - 1], `parent of PID ${r.values[1]}`);
        else assert.ok(!ppidOf.has(ppidOf.get(Number(r.values[1]))!), `PID ${r.values[1]} is a root only if its parent is not listed`);
        stack.push(r.values[1]);
      }
    });

    test('linux.psaux shows the full command line and the executable of every user process', async () => {
      const rows = new Map((await rowsByColumn(session, 'linux.psaux')).map((r) => [r['PID'], r]));
      for (const p of truthProcesses()) {
        assert.equal(rows.get(p.pid)?.['ARGS'], p.kernel_thread ? `[${p.comm}]` : p.argv.join(' '), `PID ${p.pid} ${p.comm}`);
        assert.equal(rows.get(p.pid)?.['EXE'], p.exe, `executable of PID ${p.pid} ${p.comm}`);
      }
    });

    test('linux.lsof: every open file descriptor of every process, named as /proc/<pid>/fd shows it', async () => {
      const rows = await rowsByColumn(session, 'linux.lsof');
      const got = rows.map((r) => `${r['PID']} ${r['FD']} ${r['Path']}`).sort();
      const want = truthProcesses()
        .flatMap((p) => p.fds.map((f) => `${p.pid} ${f.fd} ${f.target}`))
        .sort();
      assert.deepEqual(got, want);
    });

    test('linux.proc.Maps: each user process maps its executable (with an executable mapping) a stack and the vDSO, in order, without overlap', async () => {
      const rows = await rowsByColumn(session, 'linux.proc.Maps');
      for (const p of truthProcesses().filter((x) => !x.kernel_thread)) {
        const maps = rows.filter((r) => r['PID'] === p.pid);
        assert.ok(
          maps.some((r) => r['File Path'] === p.exe && String(r['Flags']).includes('x')),
          `PID ${p.pid} maps ${p.exe} executable`,
        );
        assert.equal(maps.filter((r) => r['File Path'] === '[stack]').length, 1, `PID ${p.pid} has one stack`);
        assert.equal(maps.filter((r) => r['File Path'] === '[vdso]').length, 1, `PID ${p.pid} has the vDSO`);
        for (let i = 1; i < maps.length; i++)
          assert.ok((maps[i]!['Start'] as bigint) >= (maps[i - 1]!['End'] as bigint), `PID ${p.pid} mappings ordered`);
      }
      assert.ok(!rows.some((r) => truthProcesses().find((p) => p.pid === r['PID'])?.kernel_thread), 'kernel threads have no user mappings');
    });

    test('linux.envars gives every user process its environment', async () => {
      const env = new Map<number, Record<string, string>>();
      for (const r of await collect(session, 'linux.envars')) {
        const pid = Number(r.values[0]);
        env.set(pid, { ...env.get(pid), [String(r.values[3])]: String(r.values[4]) });
      }
      for (const p of truthProcesses().filter((p) => !p.kernel_thread)) assert.deepEqual(env.get(p.pid) ?? {}, p.env, `PID ${p.pid} ${p.comm}`);
    });

    test('readMemory in a process space: its executable starts with the ELF magic, its stack holds its argv and environment; kernel space holds neither', async () => {
      const maps = await rowsByColumn(session, 'linux.proc.Maps');
      const text = async (space: MemorySpace, from: bigint, length: number) =>
        Buffer.from((await session.readMemory(space, hex(from), length)).bytes).toString('latin1');
      for (const p of truthProcesses().filter((x) => !x.kernel_thread)) {
        const space: MemorySpace = { kind: 'process', pid: p.pid };
        const mine = maps.filter((r) => r['PID'] === p.pid);
        // Mappings are in address order: the first of the executable holds its ELF header.
        const image = mine.find((r) => r['File Path'] === p.exe)!['Start'] as bigint;
        assert.equal(await text(space, image, 4), '\x7fELF', `PID ${p.pid} ${p.comm}: ${p.exe} at ${hex(image)}`);
        assert.notEqual(await text('kernel', image, 4), '\x7fELF', `PID ${p.pid}: ${hex(image)} in kernel space`);

        // argv and then the environment lie at the top of the stack, NUL-separated (fs/exec.c copy_strings).
        const stack = mine.find((r) => r['File Path'] === '[stack]')!;
        const [start, end] = [stack['Start'] as bigint, stack['End'] as bigint];
        const from = end - start > 0x10000n ? end - 0x10000n : start;
        const strings = [p.argv.join('\0'), ...Object.entries(p.env).map(([k, v]) => `${k}=${v}`)];
        const own = await text(space, from, Number(end - from));
        const kernel = await text('kernel', from, Number(end - from));
        for (const s of strings) {
          assert.ok(own.includes(`\0${s}\0`), `PID ${p.pid} ${p.comm}: "${s}" on its stack`);
          assert.ok(!kernel.includes(s), `PID ${p.pid}: "${s}" not at the same addresses in kernel space`);
        }
      }
    });

    test('readMemory refuses a PID no process has and a kernel thread, which has no user address space', async () => {
      const pids = truthProcesses().map((p) => p.pid);
      const unknown = Math.max(...pids) + 1000;
      await assert.rejects(
        session.readMemory({ kind: 'process', pid: unknown }, '0x400000', 16),
        (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST' && e.message.includes(`no process with PID ${unknown}`),
      );
      const thread = truthProcesses().find((p) => p.kernel_thread)!;
      await assert.rejects(
        session.readMemory({ kind: 'process', pid: thread.pid }, '0x400000', 16),
        (e) =>
          isMemscopeError(e) &&
          e.code === 'BAD_REQUEST' &&
          e.message.includes(`PID ${thread.pid} (${thread.comm})`) &&
          e.message.includes('kernel thread'),
      );
    });
  });
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;
