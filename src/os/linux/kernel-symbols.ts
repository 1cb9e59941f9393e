import type { KeyValueCache } from '../../engine/kv-cache.ts';
import { isMemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { linuxIdentity } from '../../symbols/symbol-table.ts';
import { degradedSymbolTable } from './degraded-symbols.ts';
import { vmcoreinfoOf, type LinuxDiscovery } from './discovery.ts';
import { kallsymsCandidates } from './kallsyms-locate.ts';
import { decodeKallsymsTables, deserializeKernelSymbols, serializeKernelSymbols, type KernelSymbols } from './kallsyms-tables.ts';
import { noBtf, readKernelBtf } from './kernel-btf.ts';
import { LinuxSymbolTable, slid } from './linux-symbol-table.ts';
import type { Vmcoreinfo } from './vmcoreinfo.ts';

const CACHE_VERSION = 2;
/** The kallsyms tables lie in .rodata, well inside this distance from _stext. */
const KALLSYMS_SEARCH = 96 * 1024 * 1024;

interface CachedSymbols {
  /** KASLR slide of the image the symbols were decoded from. */
  readonly kaslrOffset: string;
  readonly symbols: ReturnType<typeof serializeKernelSymbols>;
}

/**
 * The kernel's own symbol table: kallsyms decoded from memory (or taken from the cache, keyed by the
 * kernel banner, and slid to this boot's KASLR offset) plus the types of its BTF; where kallsyms cannot be
 * read, a degraded table (degraded-symbols.ts). Throws SYMBOLS_MISSING when the kernel has no BTF, naming
 * what to provide instead.
 */
export async function loadKernelSymbolTable(
  vm: VirtualLayer,
  d: LinuxDiscovery,
  cache?: KeyValueCache,
  signal?: AbortSignal,
): Promise<LinuxSymbolTable> {
  const info = vmcoreinfoOf(d);
  const key = `linux-symbols/v${CACHE_VERSION}/${await sha256Hex(d.banner || d.vmcoreinfo)}`;
  const cached = (await cache?.get(key)) as CachedSymbols | undefined;
  let symbols: KernelSymbols | undefined;
  let slide = 0n;
  if (cached) {
    try {
      symbols = deserializeKernelSymbols(cached.symbols);
      slide = BigInt(d.kaslrOffset) - BigInt(cached.kaslrOffset);
    } catch {
      symbols = undefined;
    }
  }
  const fromCache = symbols !== undefined;
  if (!symbols) {
    const decoded = await decodeKernelKallsyms(vm, info, signal);
    if (typeof decoded === 'string') return degradedSymbolTable(vm, d, info, decoded, signal);
    symbols = decoded;
    await cache?.set(key, { kaslrOffset: d.kaslrOffset, symbols: serializeKernelSymbols(symbols) } satisfies CachedSymbols);
  }
  const identity = linuxIdentity(d.banner || `Linux version ${d.release}`);
  const start = slid(symbols.address('__start_BTF'), slide);
  const stop = slid(symbols.address('__stop_BTF'), slide);
  if (start === undefined || stop === undefined) throw noBtf(d, 'this kernel carries no BTF type information (built without CONFIG_DEBUG_INFO_BTF)');
  const origin = `BTF + kallsyms in the image${fromCache ? ' (kallsyms from cache)' : ''}`;
  const types = await readKernelBtf(vm, d, start, stop - start, origin);
  return new LinuxSymbolTable(identity, origin, types, symbols, slide);
}

/**
 * kallsyms through the table addresses VMCOREINFO names (6.0+), else found by shape in the kernel image; where
 * neither decodes, why ("at 0x… (… names are corrupt)", "(not found in the kernel image)").
 */
async function decodeKernelKallsyms(vm: VirtualLayer, info: Vmcoreinfo, signal?: AbortSignal): Promise<KernelSymbols | string> {
  const stext = info.symbol('_stext')!;
  const [numSyms, names, tokenTable, tokenIndex, offsets, relativeBase] = [
    'kallsyms_num_syms',
    'kallsyms_names',
    'kallsyms_token_table',
    'kallsyms_token_index',
    'kallsyms_offsets',
    'kallsyms_relative_base',
  ].map((name) => info.symbol(name));
  let failure: unknown;
  if (numSyms && names && tokenTable && tokenIndex && offsets && relativeBase) {
    try {
      return await decodeKallsymsTables(vm, { numSyms, names, tokenTable, tokenIndex, offsets, relativeBase }, stext, signal);
    } catch (e) {
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
      failure = e;
    }
  }
  for await (const tables of kallsymsCandidates(vm, stext, KALLSYMS_SEARCH, signal)) {
    try {
      return await decodeKallsymsTables(vm, tables, stext, signal);
    } catch (e) {
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
    }
  }
  return failure instanceof Error ? `at 0x${names!.toString(16)} (${failure.message})` : '(not found in the kernel image)';
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
