// Rootkit checks on the real 6.1 capture: the system call table and the IDT as the kernel left them (their handlers
// named after the kernel's own syscall tables, arch/x86/entry/syscalls/syscall_64.tbl), modules and credentials as
// the guest had them; then with hooks, a hidden module and borrowed credentials written in.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { listModules } from '../../src/os/linux/modules.ts';
import { listTasks } from '../../src/os/linux/task.ts';
import type { KernelModule } from '../../src/plugins/api.ts';
import type { Cell, CountedWarning } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, runByColumn } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

/** Linux 6.1's x86-64 system calls (syscall_64.tbl): 451 numbers, unused ones in between dispatching to sys_ni_syscall. */
const NR_SYSCALLS_64 = 451;
const SYSCALLS_64: ReadonlyMap<number, string> = new Map([
  [0, 'read'],
  [1, 'write'],
  [2, 'open'],
  [57, 'fork'],
  [59, 'execve'],
  [60, 'exit'],
  [101, 'ptrace'],
  [175, 'init_module'],
  [231, 'exit_group'],
  [313, 'finit_module'],
  [321, 'bpf'],
  [334, 'rseq'],
  [424, 'pidfd_send_signal'],
  [450, 'set_mempolicy_home_node'],
]);
/** The CPU exception vectors' entry points (arch/x86/include/asm/idtentry.h), and int 0x80's. */
const IDT_HANDLERS: ReadonlyMap<number, string> = new Map([
  [0, 'asm_exc_divide_error'],
  [1, 'asm_exc_debug'],
  [2, 'asm_exc_nmi'],
  [3, 'asm_exc_int3'],
  [6, 'asm_exc_invalid_op'],
  [8, 'asm_exc_double_fault'],
  [13, 'asm_exc_general_protection'],
  [14, 'asm_exc_page_fault'],
  [18, 'asm_exc_machine_check'],
  [0x80, 'asm_int80_emulation'],
]);

const table64 = (rows: Record<string, Cell>[]) => rows.filter((r) => r['Table Name'] === '64bit');

for (const capture of LINUX_CAPTURES) {
  describe(`linux.check_syscall and linux.check_idt on ${capture}`, { skip }, () => {
    let syscalls: { rows: Record<string, Cell>[]; warnings: readonly CountedWarning[] };
    let idt: Record<string, Cell>[];
    let hiddenModules: Record<string, Cell>[];
    let sharedCreds: Record<string, Cell>[];
    let keyboard: Record<string, Cell>[];
    let ttys: Record<string, Cell>[];

    before(async () => {
      const session = await openLinuxSession(capture);
      try {
        syscalls = await runByColumn(session, 'linux.check_syscall');
        idt = (await runByColumn(session, 'linux.check_idt')).rows;
        hiddenModules = (await runByColumn(session, 'linux.check_modules')).rows;
        sharedCreds = (await runByColumn(session, 'linux.check_creds')).rows;
        keyboard = (await runByColumn(session, 'linux.keyboard_notifiers')).rows;
        ttys = (await runByColumn(session, 'linux.tty_check')).rows;
      } finally {
        await session.close();
      }
    });

    it('lists the 451 entries of sys_call_table, each a kernel function named for its system call', () => {
      const rows = table64(syscalls.rows);
      assert.deepEqual(
        rows.map((r) => r['Index']),
        Array.from({ length: NR_SYSCALLS_64 }, (_, i) => i),
      );
      // A system call without arguments has __do_sys_X and __x64_sys_X at one address; the first name kallsyms lists is shown, as Volatility 3 shows it.
      for (const [nr, name] of SYSCALLS_64)
        assert.match(String(rows[nr]!['Handler Symbol']), new RegExp(`^__(x64|do)_sys_${name}$`), `system call ${nr}`);
      assert.deepEqual(
        rows.filter((r) => r['Handler Symbol'] === 'UNKNOWN'),
        [],
      );
      assert.equal(new Set(rows.map((r) => r['Table Address'])).size, 1);
    });

    it('says that this kernel dispatches through x64_sys_call / ia32_sys_call, which has no table to list for 32-bit', () => {
      // Debian's 6.1.192 carries the 2024 branch-history fix: ia32_sys_call_table is gone, sys_call_table stays for tracing.
      assert.deepEqual(
        syscalls.rows.filter((r) => r['Table Name'] !== '64bit'),
        [],
      );
      assert.equal(syscalls.warnings.length, 1, JSON.stringify(syscalls.warnings));
      assert.match(syscalls.warnings[0]!.message, /x64_sys_call\(\) and ia32_sys_call\(\)/);
    });

    it('lists the IDT gates of the CPU exceptions and int 0x80, each the kernel entry point for its vector', () => {
      assert.deepEqual(
        idt.map((r) => r['Index']),
        [...Array.from({ length: 20 }, (_, i) => i), 0x80],
      );
      assert.ok(idt.every((r) => r['Module'] === '__kernel__'));
      for (const [vector, name] of IDT_HANDLERS) assert.equal(idt.find((r) => r['Index'] === vector)!['Symbol'], name, `vector ${vector}`);
    });

    it('finds no module hidden from the module list and no credentials shared between processes', () => {
      assert.deepEqual(hiddenModules, []);
      assert.deepEqual(sharedCreds, []);
    });

    it('finds no keyboard notifier, and the serial console ttyS0 (the guest’s only open tty) on n_tty’s receive_buf', () => {
      assert.deepEqual(keyboard, []);
      assert.deepEqual(
        ttys.map((r) => [r['Name'], r['Module'], r['Symbol']]),
        [['ttyS0', '__kernel__', 'n_tty_receive_buf']],
      );
    });
  });
}

describe('hooks written into the capture', { skip }, () => {
  let image: LinuxImage;
  let modules: KernelModule[];

  before(async () => {
    image = await loadLinuxImage();
    modules = [];
    for await (const m of listModules(image.kernel, (w) => assert.fail(w.message))) modules.push(m);
  });

  const u64 = (value: bigint) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    return bytes;
  };

  it('a system call pointing into free memory, another into a function’s middle: UNKNOWN; the rest unchanged', async () => {
    const { kernel } = image;
    const p = new ImagePatch(image);
    const table = kernel.symbolAddress('sys_call_table');
    const rogue = await p.scratch('list_head');
    await p.write(table + 59n * 8n, u64(rogue));
    await p.write(table + 62n * 8n, u64(kernel.symbolAddress('__x64_sys_kill') + 0x10n));
    const patched: Session = await p.open();
    try {
      const rows = table64((await runByColumn(patched, 'linux.check_syscall')).rows);
      assert.equal(rows.length, NR_SYSCALLS_64);
      assert.deepEqual(
        rows.filter((r) => r['Handler Symbol'] === 'UNKNOWN').map((r) => [r['Index'], r['Handler Address']]),
        [
          [59, rogue],
          [62, kernel.symbolAddress('__x64_sys_kill') + 0x10n],
        ],
      );
      assert.equal(rows[60]!['Handler Symbol'], '__x64_sys_exit');
    } finally {
      await patched.close();
    }
  });

  it('IDT gates pointing into a loaded module and outside everything: the module’s name, then UNKNOWN', async () => {
    const { kernel } = image;
    const p = new ImagePatch(image);
    const gateSize = BigInt(kernel.layout.size('gate_struct'));
    const idtTable = kernel.symbolAddress('idt_table');
    const hook = async (vector: number, target: bigint) => {
      const gate = idtTable + BigInt(vector) * gateSize;
      await p.field('gate_struct', gate, 'offset_low', target & 0xffffn);
      await p.field('gate_struct', gate, 'offset_middle', (target >> 16n) & 0xffffn);
      await p.field('gate_struct', gate, 'offset_high', target >> 32n);
    };
    const module = modules.find((m) => m.name === 'dummy')!;
    const rogue = await p.scratch('list_head');
    await hook(3, module.base + 0x40n);
    await hook(14, rogue);
    const patched = await p.open();
    try {
      const rows = (await runByColumn(patched, 'linux.check_idt')).rows;
      const at = (vector: number) => rows.find((r) => r['Index'] === vector)!;
      assert.deepEqual(at(3), { Index: 3, Address: module.base + 0x40n, Module: 'dummy', Symbol: 'N/A' });
      assert.deepEqual(at(14), { Index: 14, Address: rogue, Module: 'UNKNOWN', Symbol: 'N/A' });
      assert.equal(at(13)['Symbol'], 'asm_exc_general_protection');
    } finally {
      await patched.close();
    }
  });

  it('a module taken off the module list: gone from linux.lsmod, found by linux.check_modules through /sys/module', async () => {
    const { kernel } = image;
    const module = modules.find((m) => m.name === 'dummy')!;
    const p = new ImagePatch(image);
    await p.unlink(module.address + BigInt(kernel.layout.offset('module', 'list')));
    const patched = await p.open();
    try {
      const listed = (await runByColumn(patched, 'linux.lsmod')).rows.map((r) => r['Name']);
      assert.deepEqual(
        listed.sort(),
        modules
          .map((m) => m.name)
          .filter((n) => n !== 'dummy')
          .sort(),
      );
      const hidden = (await runByColumn(patched, 'linux.check_modules')).rows;
      assert.deepEqual(hidden, [{ 'Module Address': module.address, 'Module Name': 'dummy' }]);
    } finally {
      await patched.close();
    }
  });

  it('a process given init’s credentials: linux.check_creds lists the cred they share', async () => {
    const { kernel } = image;
    const tasks = [];
    for await (const t of listTasks(kernel, (w) => assert.fail(w.message))) tasks.push(t);
    const init = tasks.find((t) => t.pid === 1)!;
    const alpha = tasks.find((t) => t.comm === 'memimg_alpha')!;
    const p = new ImagePatch(image);
    const initCred = init.view.u64('cred');
    await p.field('task_struct', alpha.address, 'cred', initCred);
    await p.field('task_struct', alpha.address, 'real_cred', initCred);
    const patched = await p.open();
    try {
      const shared = (await runByColumn(patched, 'linux.check_creds')).rows;
      assert.deepEqual(shared, [{ CredVAddr: initCred, PIDs: `1, ${alpha.pid}` }]);
      const alphaRow = (await runByColumn(patched, 'linux.pslist')).rows.find((r) => r['PID'] === alpha.pid)!;
      assert.equal(alphaRow['UID'], 0, 'the borrowed credentials make it root');
    } finally {
      await patched.close();
    }
  });

  it('a keyboard notifier registered from a module and a tty discipline redirected: named by module, then UNKNOWN', async () => {
    const { kernel } = image;
    const p = new ImagePatch(image);
    const module = modules.find((m) => m.name === 'dummy')!;
    const block = await p.scratch('notifier_block');
    await p.field('notifier_block', block, 'notifier_call', module.base + 0x80n);
    const head = kernel.symbolAddress('keyboard_notifier_list') + BigInt(kernel.layout.offset('atomic_notifier_head', 'head'));
    await p.field('notifier_block', block, 'next', (await kernel.vm.readU64(head))!);
    await p.write(head, u64(block));
    const rogue = await p.scratch('list_head');
    await p.write(kernel.symbolAddress('n_tty_ops') + BigInt(kernel.layout.offset('tty_ldisc_ops', 'receive_buf')), u64(rogue));
    const patched = await p.open();
    try {
      assert.deepEqual((await runByColumn(patched, 'linux.keyboard_notifiers')).rows, [
        { Address: module.base + 0x80n, Module: 'dummy', Symbol: 'N/A' },
      ]);
      assert.deepEqual((await runByColumn(patched, 'linux.tty_check')).rows, [{ Name: 'ttyS0', Address: rogue, Module: 'UNKNOWN', Symbol: 'N/A' }]);
    } finally {
      await patched.close();
    }
  });
});
