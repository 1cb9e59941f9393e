import { MemscopeError } from '../../errors.ts';
import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import type { SymbolTable } from '../../symbols/symbol-table.ts';
import { StructLayout } from '../struct-layout.ts';
import { StructView } from '../struct-view.ts';
import { linuxKernelLayer, type LinuxDiscovery } from './discovery.ts';

const PROCESS_LAYER_CACHE = 64;
const MAX_STRING = 64 * 1024;
const utf8 = new TextDecoder('utf-8');

/** The Linux OS context: kernel address space (init_top_pgt), kernel types and symbols, typed reads. */
export class LinuxKernel {
  readonly layout: StructLayout;
  readonly vm: VirtualLayer;
  private readonly processLayers = new Map<number, VirtualLayer>();

  constructor(
    readonly phys: PhysicalLayer,
    readonly wasm: MemscopeWasm,
    readonly discovery: LinuxDiscovery,
    readonly symbols: SymbolTable,
    /** Added to table addresses: 0 for tables built from this image, the KASLR slide for an ISF. */
    readonly symbolShift: bigint,
  ) {
    this.layout = new StructLayout(symbols, symbols.origin);
    this.vm = linuxKernelLayer(phys, wasm, discovery.dtb);
  }

  symbolAddress(name: string): bigint {
    const address = this.symbols.symbol(name);
    if (address === undefined) throw new MemscopeError('SYMBOLS_INVALID', `kernel symbol ${name} is missing`, this.symbols.origin);
    return BigInt.asUintN(64, address + this.symbolShift);
  }

  hasSymbol(name: string): boolean {
    return this.symbols.symbol(name) !== undefined;
  }

  hasStruct(name: string): boolean {
    return this.symbols.struct(name) !== undefined;
  }

  /** Reads a whole structure; null if any of it is unmapped. */
  async readStruct(struct: string, address: bigint, layer: VirtualLayer = this.vm): Promise<StructView | null> {
    const bytes = await layer.read(address, this.layout.size(struct));
    return bytes && new StructView(this.layout, struct, bytes, address);
  }

  async readPointer(address: bigint, layer: VirtualLayer = this.vm): Promise<bigint | null> {
    return layer.readU64(address);
  }

  /** A NUL-terminated string of at most `max` bytes (UTF-8, invalid bytes replaced); null when unmapped. */
  async readCString(address: bigint, max = 256, layer: VirtualLayer = this.vm): Promise<string | null> {
    if (address === 0n) return null;
    const bytes = await layer.read(address, Math.min(max, MAX_STRING));
    return bytes && cString(bytes);
  }

  /**
   * A process's address space from its mm->pgd (a kernel virtual address); null when the pgd is not mapped.
   * With PTI the kernel half of this pgd also maps user space, so one layer serves both.
   */
  async processLayer(pgd: bigint): Promise<VirtualLayer | null> {
    const phys = await this.vm.translate(pgd);
    if (phys === null || phys % 4096 !== 0) return null;
    let layer = this.processLayers.get(phys);
    if (!layer) {
      if (this.processLayers.size >= PROCESS_LAYER_CACHE) this.processLayers.delete(this.processLayers.keys().next().value!);
      layer = linuxKernelLayer(this.phys, this.wasm, phys);
      this.processLayers.set(phys, layer);
    }
    return layer;
  }
}

/** Text of a fixed char array or buffer, cut at the first NUL. */
export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
