import { MemscopeError } from '../../errors.ts';
import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import type { SymbolTable } from '../../symbols/symbol-table.ts';
import { KernelBase, type KernelNeeds } from '../kernel-base.ts';
import type { KallsymsDegradation } from './degraded-symbols.ts';
import { linuxKernelLayer, type LinuxDiscovery } from './discovery.ts';
import { LinuxSymbolTable } from './linux-symbol-table.ts';

/**
 * What the task list and its readers (task.ts, process-memory.ts) read in every kernel; fields they test with
 * `has` first (start_boottime, exit_state, exe_file, ...) are not needed.
 */
const LINUX_NEEDS: KernelNeeds = {
  fields: [
    ...['tasks', 'pid', 'tgid', 'real_parent', 'comm', 'cred', 'flags', 'mm'].map((f) => `task_struct.${f}`),
    ['task_struct.__state', 'task_struct.state'],
    ...['uid', 'gid', 'euid', 'egid'].map((f) => `cred.${f}.val`),
    'mm_struct.pgd',
  ],
  symbols: ['init_task'],
};

/**
 * The Linux OS context: kernel address space (init_top_pgt), kernel types and symbols, typed reads. Over a degraded
 * table (kallsyms unreadable) it is built without init_task, and a symbol the table lacks fails the plugin asking for it.
 */
export class LinuxKernel extends KernelBase {
  /** Set when the symbols come from VMCOREINFO and a search of the image because kallsyms could not be read. */
  readonly degraded: KallsymsDegradation | undefined;

  constructor(
    phys: PhysicalLayer,
    wasm: MemscopeWasm,
    readonly discovery: LinuxDiscovery,
    symbols: SymbolTable,
    /** Added to table addresses: 0 for tables built from this image, the KASLR slide for an ISF. */
    symbolShift: bigint,
  ) {
    super(phys, wasm, symbols, {
      dtb: discovery.dtb,
      addressSpace: (dtb) => linuxKernelLayer(phys, wasm, dtb),
      symbolShift,
      tableName: symbols.origin,
      needs: symbols instanceof LinuxSymbolTable && symbols.degraded ? { ...LINUX_NEEDS, symbols: [] } : LINUX_NEEDS,
    });
    this.degraded = symbols instanceof LinuxSymbolTable ? symbols.degraded : undefined;
  }

  override symbolAddress(name: string): bigint {
    if (this.degraded && !this.hasSymbol(name))
      throw new MemscopeError('SYMBOLS_MISSING', `kallsyms unreadable ${this.degraded.why}; symbol ${name} not recovered`);
    return super.symbolAddress(name);
  }

  /** Whether this kernel is built without symbol `name`: only a complete table says so (a degraded one never does). */
  lacksSymbol(name: string): boolean {
    return !this.degraded && !this.hasSymbol(name);
  }

  /** When the machine booted, in nanoseconds since 1970 (read when the kernel is loaded); null where the kernel does not say. */
  bootTimeNs: bigint | null = null;

  /**
   * A process's address space from its mm->pgd (a kernel virtual address); null when the pgd is not mapped.
   * With PTI the kernel half of this pgd also maps user space, so one layer serves both.
   */
  async processLayer(pgd: bigint): Promise<VirtualLayer | null> {
    const phys = await this.vm.translate(pgd);
    return phys === null || phys % 4096 !== 0 ? null : this.addressSpace(phys);
  }
}
