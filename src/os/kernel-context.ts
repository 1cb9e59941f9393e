import type { KernelContext, ListWalkOptions, StructReader, VirtualMemory } from '../plugins/api/memory.ts';
import type { Warn } from '../plugins/plugin.ts';
import type { KernelBase } from './kernel-base.ts';
import { namedListLinks } from './list-walk.ts';
import type { RunScope } from './os-profile.ts';

/**
 * The published KernelContext over a kernel built once per image, for one plugin run: reads go to the kernel,
 * warnings to the run. Each OS's run context extends it with that OS's structures.
 */
export class KernelRunContext<K extends KernelBase> implements KernelContext {
  constructor(
    protected readonly kernel: K,
    protected readonly run: RunScope,
  ) {}

  get vm(): VirtualMemory {
    return this.kernel.vm;
  }

  get symbolTableName(): string {
    return this.kernel.symbols.origin;
  }

  symbolAddress(name: string): bigint {
    return this.kernel.symbolAddress(name);
  }

  hasSymbol(name: string): boolean {
    return this.kernel.hasSymbol(name);
  }

  hasStruct(name: string): boolean {
    return this.kernel.hasStruct(name);
  }

  structSize(name: string): number {
    return this.kernel.layout.size(name);
  }

  fieldOffset(struct: string, path: string): number {
    return this.kernel.layout.offset(struct, path);
  }

  enumName(enumeration: string, value: number): string | undefined {
    const constants = this.kernel.symbols.enumeration(enumeration)?.constants;
    return [...(constants ?? [])].find(([, v]) => Number(v) === value)?.[0];
  }

  readStruct(struct: string, address: bigint, space?: VirtualMemory): Promise<StructReader | null> {
    return this.kernel.readStruct(struct, address, space);
  }

  readPointer(address: bigint, space?: VirtualMemory): Promise<bigint | null> {
    return this.kernel.readPointer(address, space);
  }

  readCString(address: bigint, max?: number, space?: VirtualMemory): Promise<string | null> {
    return this.kernel.readCString(address, max, space);
  }

  listEntries(head: bigint, { what, limit }: ListWalkOptions): AsyncIterable<bigint> {
    return namedListLinks(this.kernel.vm, head, what, this.warn(), limit);
  }

  /** The run's warn; with `about`, its messages start with it ("PID 1 (systemd) fd 3: ..."). */
  protected warn(about?: string): Warn {
    const warn = this.run.warn;
    return about === undefined ? warn : (w) => warn({ ...w, message: `${about}: ${w.message}` });
  }
}
