import { isMemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { BtfTypes } from '../../symbols/btf.ts';
import { linuxIdentity } from '../../symbols/symbol-table.ts';
import { StructLayout } from '../struct-layout.ts';
import { btfCandidates } from './btf-locate.ts';
import type { LinuxDiscovery } from './discovery.ts';
import { KernelSymbols } from './kallsyms-tables.ts';
import { MAX_BTF, noBtf, readKernelBtf } from './kernel-btf.ts';
import { LinuxSymbolTable } from './linux-symbol-table.ts';
import { recoverSymbols } from './symbol-recovery.ts';
import type { Vmcoreinfo } from './vmcoreinfo.ts';

/** The kernel image (text, data, BTF, bss) lies well inside this distance from _stext. */
const KERNEL_IMAGE_SEARCH = 96 * 1024 * 1024;
const ORIGIN = 'BTF + VMCOREINFO in the image (kallsyms unreadable)';
/** nm's letter for a symbol of unknown type: VMCOREINFO and the recovery give addresses only. */
const UNKNOWN_TYPE = '?';

/** Why the table holds only some of the kernel's symbols, and which it recovered by searching the kernel image. */
export interface KallsymsDegradation {
  /** Where the kallsyms tables were looked for and why they could not be read. */
  readonly why: string;
  readonly recovered: readonly string[];
}

/** The one warning a degraded table earns the image. */
export function degradedWarning({ why, recovered }: KallsymsDegradation): string {
  const found = recovered.length ? ` and recovered by scan (${recovered.join(', ')})` : '';
  return `kallsyms tables unreadable ${why}: symbols from VMCOREINFO${found}; plugins needing other symbols will fail`;
}

/**
 * The kernel's symbol table when kallsyms cannot be read (`why`): types from the BTF found by its header in the
 * kernel image, symbols from VMCOREINFO (run-time addresses) and those the walks start from recovered by their
 * shape (symbol-recovery.ts). SYMBOLS_MISSING, naming the ISF to provide, when the image has no usable BTF either.
 */
export async function degradedSymbolTable(
  vm: VirtualLayer,
  d: LinuxDiscovery,
  info: Vmcoreinfo,
  why: string,
  signal?: AbortSignal,
): Promise<LinuxSymbolTable> {
  const stext = info.symbol('_stext')!;
  const btf = await findKernelBtf(vm, d, stext, signal);
  if (!btf) throw noBtf(d, `its symbol table (kallsyms) is unreadable (${why}) and no usable BTF was found in the kernel image`);
  const named = new Map(info.symbols());
  named.set('__start_BTF', btf.start);
  named.set('__stop_BTF', btf.start + BigInt(btf.size));
  const identity = linuxIdentity(d.banner || `Linux version ${d.release}`);
  const layout = new StructLayout(new LinuxSymbolTable(identity, ORIGIN, btf.types, symbolsOf(named)), ORIGIN);
  const recovered: string[] = [];
  for (const [name, address] of await recoverSymbols(vm, layout, stext, KERNEL_IMAGE_SEARCH, signal)) {
    if (named.has(name)) continue;
    named.set(name, address);
    recovered.push(name);
  }
  return new LinuxSymbolTable(identity, ORIGIN, btf.types, symbolsOf(named), 0n, { why, recovered });
}

/** The first BTF blob in the kernel image that parses and describes task_struct. */
async function findKernelBtf(
  vm: VirtualLayer,
  d: LinuxDiscovery,
  stext: bigint,
  signal?: AbortSignal,
): Promise<{ start: bigint; size: number; types: BtfTypes } | null> {
  for await (const { start, size } of btfCandidates(vm, stext, KERNEL_IMAGE_SEARCH, MAX_BTF, signal)) {
    try {
      const types = await readKernelBtf(vm, d, start, BigInt(size), ORIGIN);
      if (types.struct('task_struct')) return { start, size, types };
    } catch (e) {
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
    }
  }
  return null;
}

function symbolsOf(named: ReadonlyMap<string, bigint>): KernelSymbols {
  return new KernelSymbols([...named.keys()], UNKNOWN_TYPE.repeat(named.size), BigUint64Array.from(named.values()));
}
