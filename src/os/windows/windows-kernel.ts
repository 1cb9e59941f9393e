import { MemscopeError } from '../../errors.ts';
import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import type { SymbolTable } from '../../symbols/symbol-table.ts';
import { StructLayout } from '../struct-layout.ts';
import { StructView } from '../struct-view.ts';
import { kernelLayer, type WindowsDiscovery } from './discovery.ts';
import type { KernelImage } from './kernel-locator.ts';

const PROCESS_LAYER_CACHE = 64;

/** The Windows OS context: kernel address space, kernel symbols and typed reads. Built once per image. */
export class WindowsKernel {
  readonly layout: StructLayout;
  readonly vm: VirtualLayer;
  readonly base: bigint;
  private readonly processLayers = new Map<bigint, VirtualLayer>();

  constructor(
    readonly phys: PhysicalLayer,
    readonly wasm: MemscopeWasm,
    readonly discovery: WindowsDiscovery,
    readonly image: KernelImage,
    readonly symbols: SymbolTable,
    readonly symbolsName: string,
  ) {
    this.layout = new StructLayout(symbols, symbolsName);
    this.vm = kernelLayer(phys, wasm, discovery.dtb);
    this.base = image.base;
  }

  /** Virtual address of a kernel symbol (ISF addresses are RVAs from the kernel base). */
  symbolAddress(name: string): bigint {
    const rva = this.symbols.symbol(name);
    if (rva === undefined) throw new MemscopeError('SYMBOLS_INVALID', `symbol ${name} is missing`, this.symbolsName);
    return (this.base + rva) & 0xffffffffffffffffn;
  }

  hasSymbol(name: string): boolean {
    return this.symbols.symbol(name) !== undefined;
  }

  /** Reads a whole structure from kernel virtual memory; null if any of it is unmapped. */
  async readStruct(struct: string, address: bigint, layer: VirtualLayer = this.vm): Promise<StructView | null> {
    const bytes = await layer.read(address, this.layout.size(struct));
    return bytes && new StructView(this.layout, struct, bytes, address);
  }

  async readPointer(address: bigint, layer: VirtualLayer = this.vm): Promise<bigint | null> {
    return layer.readU64(address);
  }

  /** The address space of a process (kernel half shared); a few are kept for repeated use. */
  processLayer(dtb: bigint): VirtualLayer {
    const key = dtb & 0x000ffffffffff000n;
    let layer = this.processLayers.get(key);
    if (!layer) {
      if (this.processLayers.size >= PROCESS_LAYER_CACHE) this.processLayers.delete(this.processLayers.keys().next().value!);
      layer = kernelLayer(this.phys, this.wasm, Number(key));
      this.processLayers.set(key, layer);
    }
    return layer;
  }
}
