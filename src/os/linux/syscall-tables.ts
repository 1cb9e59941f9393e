import { hex } from '../../io/hex.ts';
import type { SyscallTableEntry } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { nextSymbolAddress } from './symbol-index.ts';

/** More entries than any kernel's table (6.1 has 451): beyond it the bound is not a table's. */
const MAX_ENTRIES = 1024;

const TABLES = [
  { name: '64bit', symbol: 'sys_call_table', dispatcher: 'x64_sys_call' },
  { name: '32bit', symbol: 'ia32_sys_call_table', dispatcher: 'ia32_sys_call' },
] as const;

/**
 * The x86-64 system call tables (sys_call_table, and ia32_sys_call_table where 32-bit emulation is built in), each
 * entry the handler it holds. A table runs to the next kernel symbol (kallsyms lists none inside one), zero padding
 * at its end left out. Kernels with the 2024 indirect-branch fix (6.9, and 5.10/5.15/6.1/6.6 stable updates)
 * dispatch through compiled switches (x64_sys_call, ia32_sys_call) instead: the table left for tracing is listed,
 * and a warning says the switch is what runs.
 */
export async function* syscallTableEntries(kernel: LinuxKernel, warn: Warn): AsyncGenerator<SyscallTableEntry> {
  const switches = TABLES.filter((t) => kernel.hasSymbol(t.dispatcher)).map((t) => `${t.dispatcher}()`);
  if (switches.length > 0) {
    warn({
      code: 'UNSUPPORTED',
      message:
        `this kernel dispatches system calls through ${switches.join(' and ')} (compiled switches), not through a table: ` +
        'what is listed is sys_call_table as tracing sees it; a hook patched into the switch code is not checked',
    });
  }
  for (const spec of TABLES) {
    if (!kernel.hasSymbol(spec.symbol)) {
      if (spec.name === '64bit') warn({ code: 'NOT_FOUND', message: 'the system call table (sys_call_table) is not in the kernel symbols' });
      continue;
    }
    const address = kernel.symbolAddress(spec.symbol);
    const next = nextSymbolAddress(kernel, address);
    const count = next === undefined ? MAX_ENTRIES : Math.min(MAX_ENTRIES, Number((next - address) / 8n));
    const bytes = await kernel.vm.read(address, count * 8);
    if (!bytes) {
      warn({ code: 'UNREADABLE', message: `the ${spec.name} system call table (${spec.symbol}) is not readable`, address: hex(address) });
      continue;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let used = count;
    while (used > 0 && view.getBigUint64((used - 1) * 8, true) === 0n) used--;
    for (let index = 0; index < used; index++) {
      yield { table: spec.name, tableAddress: address, index, handler: view.getBigUint64(index * 8, true) };
    }
  }
}
