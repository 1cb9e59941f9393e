import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import type { SymbolTable } from '../../symbols/symbol-table.ts';
import { KernelBase, type KernelNeeds } from '../kernel-base.ts';
import { kernelLayer, type WindowsDiscovery } from './discovery.ts';
import type { KernelImage } from './kernel-locator.ts';

/** Bits 12-51 of a CR3 value: the page-table root; the rest are flags (PCID). */
export const DTB_MASK = 0x000ffffffffff000n;

/**
 * What the process list and process records (process-list.ts, process.ts) and the version read when the context
 * is built (kuser-shared-data.ts) need in every kernel; fields they test with `has` first (WoW64Process, ExitTime, ...) are not.
 */
const WINDOWS_NEEDS: KernelNeeds = {
  fields: [
    ...[
      'ActiveProcessLinks',
      'UniqueProcessId',
      'InheritedFromUniqueProcessId',
      'ImageFileName',
      'ActiveThreads',
      'CreateTime',
      'Pcb.DirectoryTableBase',
    ].map((f) => `_EPROCESS.${f}`),
    ...['NtMajorVersion', 'NtMinorVersion', 'NtProductType', 'NtSystemRoot', 'SystemTime.LowPart', 'SystemTime.High1Time'].map(
      (f) => `_KUSER_SHARED_DATA.${f}`,
    ),
  ],
  symbols: ['PsActiveProcessHead'],
};

/** The Windows OS context: kernel address space, kernel symbols (RVAs from the kernel base) and typed reads. Built once per image. */
export class WindowsKernel extends KernelBase {
  readonly base: bigint;

  constructor(
    phys: PhysicalLayer,
    wasm: MemscopeWasm,
    readonly discovery: WindowsDiscovery,
    readonly image: KernelImage,
    symbols: SymbolTable,
    /** The table's key (ntkrnlmp.pdb/GUID-AGE), naming it in errors. */
    symbolsName: string,
    /**
     * For a table found in the image (symbol-free/), which has no ObHeaderCookie symbol: the cookie's value, or null
     * when the image did not give it. undefined for symbol files.
     */
    readonly discoveredHeaderCookie?: number | null,
  ) {
    super(phys, wasm, symbols, {
      dtb: discovery.dtb,
      addressSpace: (dtb) => kernelLayer(phys, wasm, dtb),
      symbolShift: image.base,
      tableName: symbolsName,
      needs: WINDOWS_NEEDS,
    });
    this.base = image.base;
  }

  /** The address space of a process by its DirectoryTableBase (kernel half shared). */
  processLayer(dtb: bigint): VirtualLayer {
    return this.addressSpace(Number(dtb & DTB_MASK));
  }
}
