import { MemscopeError } from '../../errors.ts';
import type { LinuxDiscovery } from './discovery.ts';
import { KERNEL_GLOBAL_TYPES, namedTypes } from './kernel-globals.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { LinuxSymbolTable } from './linux-symbol-table.ts';

/** Kernel text/data addresses are relocated by KASLR; lower values (per-CPU offsets) are absolute. */
const START_KERNEL_MAP = 0xffffffff80000000n;
const BIG = '\u0000big:';

/**
 * The kernel's own table (BTF + kallsyms) as ISF text; BAD_REQUEST when the table in use already is an ISF,
 * SYMBOLS_MISSING when kallsyms could not be read (an ISF without the kernel's symbols would mislead Volatility).
 */
export function kernelIsfText(kernel: LinuxKernel, producerVersion: string): string {
  if (!(kernel.symbols instanceof LinuxSymbolTable)) {
    throw new MemscopeError('BAD_REQUEST', `the symbols in use already come from an ISF (${kernel.symbols.origin})`, kernel.phys.source.name);
  }
  if (kernel.degraded)
    throw new MemscopeError('SYMBOLS_MISSING', `kallsyms unreadable ${kernel.degraded.why}: an ISF needs the kernel's whole symbol table`);
  return linuxIsfText(kernel.symbols, kernel.discovery, producerVersion);
}

/**
 * The table memscope built from an image's BTF and kallsyms, as a Volatility 3 ISF (format 6.2): types with
 * anonymous members already folded in, symbols at their link-time (unrelocated) addresses and linux_banner's
 * text, so Volatility and memscope can identify it by banner and apply the KASLR shift themselves.
 */
export function linuxIsfText(table: LinuxSymbolTable, d: LinuxDiscovery, producerVersion: string): string {
  const kaslr = BigInt(d.kaslrOffset);
  const user_types: Record<string, unknown> = {};
  const enums: Record<string, unknown> = {};
  const base_types: Record<string, unknown> = { pointer: { kind: 'int', size: 8, signed: false, endian: 'little' } };
  for (const { kind, name } of table.typeNames()) {
    if (kind === 'aggregate') {
      const s = table.struct(name)!;
      user_types[name] = {
        kind: s.kind,
        size: s.size,
        fields: Object.fromEntries([...s.fields].map(([f, info]) => [f, { offset: info.offset, type: info.type }])),
      };
    } else if (kind === 'enum') {
      const e = table.enumeration(name)!;
      enums[name] = { size: e.size, base: e.base, constants: Object.fromEntries(e.constants) };
    } else if (name) {
      const b = table.baseType(name)!;
      base_types[name] = { kind: b.kind, size: b.size, signed: b.signed, endian: 'little' };
    }
  }
  const known = (t: { kind: 'struct' | 'base'; name: string }) => (t.kind === 'struct' ? table.struct(t.name) : table.baseType(t.name)) !== undefined;
  const symbols: Record<string, unknown> = {};
  for (const { name, address } of table.entries()) {
    if (name in symbols) continue;
    const linkTime = address >= START_KERNEL_MAP ? BigInt.asUintN(64, address - kaslr) : address;
    // Volatility reads some globals by symbol alone (init_task, modules, ...): those need their type.
    const type = KERNEL_GLOBAL_TYPES.get(name);
    symbols[name] = type && namedTypes(type).every(known) ? { address: `${BIG}${linkTime}`, type } : { address: `${BIG}${linkTime}` };
  }
  if (symbols['linux_banner'] && d.banner) (symbols['linux_banner'] as Record<string, unknown>)['constant_data'] = btoa(`${d.banner}\n\0`);
  const isf = {
    metadata: {
      format: '6.2.0',
      producer: { name: 'memscope', version: producerVersion },
      // Volatility's schema knows symbol sources by kind dwarf, symtab or system-map: kallsyms is the kernel's symtab.
      // The types come from BTF, which has no kind there: they are described in the producer alone.
      linux: { symbols: [{ kind: 'symtab', name: 'kallsyms, read from the memory image' }] },
    },
    base_types,
    user_types,
    enums,
    symbols,
  };
  // Kernel addresses exceed 2^53: written as JSON integers, as Volatility's own ISFs have them.
  return JSON.stringify(isf).replace(/"\\u0000big:(\d+)"/g, '$1');
}
