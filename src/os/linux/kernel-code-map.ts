import { MemscopeError } from '../../errors.ts';
import type { CodeOwner, KernelModule } from '../../plugins/api/linux.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { symbolsByAddress } from './symbol-index.ts';

/** What /proc/modules and Volatility 3 call the kernel itself among the code owners. */
export const KERNEL_OWNER = '__kernel__';

interface ModuleRange {
  readonly name: string;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Who owns a code address: the kernel's text (_text.._etext) with the symbol that starts exactly there, a loaded
 * module's memory, or nobody — what hook checks (system call table, IDT) report for each handler.
 */
export class KernelCodeMap {
  private constructor(
    private readonly textStart: bigint,
    private readonly textEnd: bigint,
    private readonly names: ReadonlyMap<bigint, string>,
    private readonly modules: readonly ModuleRange[],
  ) {}

  static build(kernel: LinuxKernel, modules: readonly KernelModule[]): KernelCodeMap {
    if (!kernel.symbols.symbolNames) {
      throw new MemscopeError('UNSUPPORTED', 'the symbol table cannot list its symbols: code addresses cannot be named', kernel.tableName);
    }
    const start = kernel.symbolAddress('_text');
    const end = kernel.symbolAddress('_etext');
    const names = new Map<bigint, string>();
    for (const { name, address } of symbolsByAddress(kernel)) {
      // The first name at an address wins (table order), as Volatility 3 reports it.
      if (address >= start && address <= end && !names.has(address)) names.set(address, name);
    }
    const ranges = modules.map((m) => ({ name: m.name, start: m.base, end: m.base + BigInt(m.size) }));
    return new KernelCodeMap(start, end, names, ranges);
  }

  owner(address: bigint): CodeOwner {
    if (address >= this.textStart && address <= this.textEnd) return { module: KERNEL_OWNER, symbol: this.names.get(address) ?? null };
    const module = this.modules.find((m) => address >= m.start && address < m.end);
    return { module: module?.name ?? null, symbol: null };
  }
}
