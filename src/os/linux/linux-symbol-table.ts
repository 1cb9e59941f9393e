import type { BaseTypeInfo, EnumInfo, StructInfo, SymbolIdentity, SymbolTable, TypeDescriptor } from '../../symbols/symbol-table.ts';
import type { BtfTypes } from '../../symbols/btf.ts';
import type { KallsymsDegradation } from './degraded-symbols.ts';
import type { KernelSymbols } from './kallsyms-tables.ts';

/** Kernel text, data and bss sit at or above __START_KERNEL_map; lower kallsyms values are absolute (per-CPU offsets). */
const START_KERNEL_MAP = 0xffffffff80000000n;

/**
 * A SymbolTable built from the image itself: types from the kernel's BTF, symbols from its kallsyms (or, `degraded`,
 * from VMCOREINFO and a search of the kernel image when kallsyms cannot be read).
 */
export class LinuxSymbolTable implements SymbolTable {
  readonly pointerSize = 8;

  constructor(
    readonly identity: SymbolIdentity,
    readonly origin: string,
    private readonly types: BtfTypes,
    private readonly kallsyms: KernelSymbols,
    /** Added to relocatable symbols: KASLR slide of this image minus that of the image the symbols were decoded from. */
    private readonly slide: bigint = 0n,
    /** Set when kallsyms could not be read: the table holds only the symbols VMCOREINFO names and those recovered. */
    readonly degraded?: KallsymsDegradation,
  ) {}

  get typeCount(): number {
    return this.types.typeCount;
  }

  get symbolCount(): number {
    return this.kallsyms.count;
  }

  struct(name: string): StructInfo | undefined {
    return this.types.struct(name);
  }

  baseType(name: string): BaseTypeInfo | undefined {
    return this.types.baseType(name);
  }

  enumeration(name: string): EnumInfo | undefined {
    return this.types.enumeration(name);
  }

  sizeOf(type: TypeDescriptor): number {
    return this.types.sizeOf(type);
  }

  typeNames(): ReturnType<BtfTypes['typeNames']> {
    return this.types.typeNames();
  }

  /** Every kallsyms entry at its address in this image. */
  *entries(): Generator<{ name: string; type: string; address: bigint }> {
    for (const e of this.kallsyms.entries()) yield { ...e, address: slid(e.address, this.slide)! };
  }

  *symbolNames(): Generator<string> {
    for (const e of this.kallsyms.entries()) yield e.name;
  }

  symbol(name: string): bigint | undefined {
    return slid(this.kallsyms.address(name), this.slide);
  }
}

/** A kallsyms address moved by a KASLR slide; absolute (per-CPU) values stay. */
export function slid(address: bigint | undefined, slide: bigint): bigint | undefined {
  return address === undefined || address < START_KERNEL_MAP ? address : BigInt.asUintN(64, address + slide);
}
