import type { LinuxKernel } from './linux-kernel.ts';

/** A kernel symbol at its address in this boot. */
export interface PlacedSymbol {
  readonly name: string;
  readonly address: bigint;
}

const indexes = new WeakMap<LinuxKernel, readonly PlacedSymbol[]>();

/**
 * Every symbol the table lists at its address in this boot, ascending (names sharing an address in table order):
 * built once per kernel for the readers that look symbols up by address (hook checks, the task scan). Empty where the
 * table cannot list its symbols.
 */
export function symbolsByAddress(kernel: LinuxKernel): readonly PlacedSymbol[] {
  let index = indexes.get(kernel);
  if (!index) {
    const placed = [...(kernel.symbols.symbolNames?.() ?? [])].map((name) => ({ name, address: kernel.symbolAddress(name) }));
    // Array.prototype.sort is stable: names at one address keep the table's order.
    index = placed.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    indexes.set(kernel, index);
  }
  return index;
}

/** The lowest symbol address above `address`; undefined past the last symbol. */
export function nextSymbolAddress(kernel: LinuxKernel, address: bigint): bigint | undefined {
  const index = symbolsByAddress(kernel);
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index[mid]!.address <= address) lo = mid + 1;
    else hi = mid;
  }
  return index[lo]?.address;
}
