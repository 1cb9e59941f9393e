import { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { VirtualMemory } from '../plugins/api/memory.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import type { SymbolTable } from '../symbols/symbol-table.ts';
import { StructLayout, type FieldNeed } from './struct-layout.ts';
import { cString } from './c-string.ts';
import { StructView } from './struct-view.ts';

/** Process address spaces kept for repeated use. */
const ADDRESS_SPACE_CACHE = 64;
const MAX_STRING = 64 * 1024;

/** What a kernel context reads on every image of its OS: checked all at once when it is built. */
export interface KernelNeeds {
  readonly fields: readonly FieldNeed[];
  readonly symbols: readonly string[];
}

/** How an OS's kernel context sits over an image. */
export interface KernelSetup {
  /** Physical address of the kernel's page-table root. */
  readonly dtb: number;
  /** The address space under a page-table root (a physical address), walked as this OS's paging needs. */
  readonly addressSpace: (dtb: number) => VirtualLayer;
  /** Added to the table's symbol addresses to get this boot's (KASLR base or slide). */
  readonly symbolShift: bigint;
  /** Names the table in errors. */
  readonly tableName: string;
  readonly needs: KernelNeeds;
}

/**
 * What every OS's kernel context shares: the kernel address space; the kernel's symbol table, its field layouts
 * (resolved once per image, cached) and symbol addresses; typed reads over any address space; and switching to
 * another address space by its page-table root. Building one throws SYMBOLS_INVALID naming every field and symbol
 * of `needs` the table lacks, so a plugin never trips over them one at a time.
 */
/** Results of long work on this image (a scan's hits) kept across sessions, filed under the image's fingerprint. */
export interface KeptResults {
  get(name: string): Promise<unknown>;
  set(name: string, value: unknown): Promise<void>;
}

export abstract class KernelBase {
  /** Set by the session when it has a cache; absent, nothing is kept beyond the session. */
  kept: KeptResults | undefined;
  readonly layout: StructLayout;
  readonly vm: VirtualLayer;
  private readonly spaces = new Map<number, VirtualLayer>();

  protected constructor(
    readonly phys: PhysicalLayer,
    readonly wasm: MemscopeWasm,
    readonly symbols: SymbolTable,
    private readonly setup: KernelSetup,
  ) {
    this.layout = new StructLayout(symbols, setup.tableName);
    const lacking = [...this.layout.lacking(setup.needs.fields), ...setup.needs.symbols.filter((s) => !this.hasSymbol(s)).map((s) => `symbol ${s}`)];
    if (lacking.length > 0) {
      throw new MemscopeError('SYMBOLS_INVALID', `the symbol table lacks what the kernel context needs: ${lacking.join(', ')}`, setup.tableName);
    }
    this.vm = setup.addressSpace(setup.dtb);
  }

  /** Virtual address of a kernel symbol in this boot. */
  /** Names the symbol table in errors (a file, a PDB key). */
  get tableName(): string {
    return this.setup.tableName;
  }

  symbolAddress(name: string): bigint {
    const address = this.symbols.symbol(name);
    if (address === undefined) throw new MemscopeError('SYMBOLS_INVALID', `kernel symbol ${name} is missing`, this.setup.tableName);
    return BigInt.asUintN(64, address + this.setup.symbolShift);
  }

  hasSymbol(name: string): boolean {
    return this.symbols.symbol(name) !== undefined;
  }

  hasStruct(name: string): boolean {
    return this.symbols.struct(name) !== undefined;
  }

  /** Reads a whole structure (kernel space unless another layer is given); null if any of it is unmapped. */
  async readStruct(struct: string, address: bigint, layer: VirtualMemory = this.vm): Promise<StructView | null> {
    const bytes = await layer.read(address, this.layout.size(struct));
    return bytes && new StructView(this.layout, struct, bytes, address);
  }

  async readPointer(address: bigint, layer: VirtualMemory = this.vm): Promise<bigint | null> {
    return layer.readU64(address);
  }

  /** A NUL-terminated string of at most `max` bytes (UTF-8, invalid bytes replaced); null when unmapped. */
  async readCString(address: bigint, max = 256, layer: VirtualMemory = this.vm): Promise<string | null> {
    if (address === 0n) return null;
    const bytes = await layer.read(address, Math.min(max, MAX_STRING));
    return bytes && cString(bytes);
  }

  /** The address space under the page-table root at physical `dtb` (the kernel half shared); the last few are kept. */
  protected addressSpace(dtb: number): VirtualLayer {
    let layer = this.spaces.get(dtb);
    if (!layer) {
      if (this.spaces.size >= ADDRESS_SPACE_CACHE) this.spaces.delete(this.spaces.keys().next().value!);
      layer = this.setup.addressSpace(dtb);
      this.spaces.set(dtb, layer);
    }
    return layer;
  }
}
