import type { KeyValueCache } from '../../engine/kv-cache.ts';
import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { parseBtf, type BtfTypes } from '../../symbols/btf.ts';
import { linuxIdentity } from '../../symbols/symbol-table.ts';
import { vmcoreinfoOf, type LinuxDiscovery } from './discovery.ts';
import { kallsymsCandidates } from './kallsyms-locate.ts';
import { decodeKallsymsTables, deserializeKernelSymbols, serializeKernelSymbols, type KernelSymbols } from './kallsyms-tables.ts';
import { LinuxSymbolTable, slid } from './linux-symbol-table.ts';
import type { Vmcoreinfo } from './vmcoreinfo.ts';

const CACHE_VERSION = 1;
/** The kallsyms tables lie in .rodata, well inside this distance from _stext. */
const KALLSYMS_SEARCH = 96 * 1024 * 1024;
/** Distribution kernels carry 4-8 MiB of BTF; more is not BTF. */
const MAX_BTF = 64 * 1024 * 1024;

interface CachedSymbols {
  /** KASLR slide of the image the symbols were decoded from. */
  readonly kaslrOffset: string;
  readonly symbols: ReturnType<typeof serializeKernelSymbols>;
}

/**
 * The kernel's own symbol table: kallsyms decoded from memory (or taken from the cache, keyed by the
 * kernel banner, and slid to this boot's KASLR offset) plus the types of its BTF. Throws SYMBOLS_MISSING
 * when the kernel has no BTF, naming what to provide instead.
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
    symbols = await decodeKernelKallsyms(vm, info, signal);
    await cache?.set(key, { kaslrOffset: d.kaslrOffset, symbols: serializeKernelSymbols(symbols) } satisfies CachedSymbols);
  }
  const identity = linuxIdentity(d.banner || `Linux version ${d.release}`);
  const start = slid(symbols.address('__start_BTF'), slide);
  const stop = slid(symbols.address('__stop_BTF'), slide);
  if (start === undefined || stop === undefined) throw noBtf(d, 'this kernel carries no BTF type information (built without CONFIG_DEBUG_INFO_BTF)');
  const size = stop - start;
  if (size <= 0n || size > BigInt(MAX_BTF))
    throw new MemscopeError('SYMBOLS_INVALID', `the kernel's BTF section has an implausible size (${size} bytes)`);
  const blob = await vm.read(start, Number(size));
  if (!blob)
    throw new MemscopeError(
      'SYMBOLS_MISSING',
      `the kernel's BTF (${size} bytes at 0x${start.toString(16)}) is not in the captured memory: the capture may be truncated`,
    );
  const origin = `BTF + kallsyms in the image${fromCache ? ' (kallsyms from cache)' : ''}`;
  let types: BtfTypes;
  try {
    types = parseBtf(blob, origin);
  } catch (e) {
    if (isMemscopeError(e) && (e.code === 'SYMBOLS_INVALID' || e.code === 'UNSUPPORTED'))
      throw noBtf(d, `the kernel's BTF (at 0x${start.toString(16)}) cannot be used: ${e.message}`);
    throw e;
  }
  return new LinuxSymbolTable(identity, origin, types, symbols, slide);
}

/** kallsyms through the table addresses VMCOREINFO names (6.0+), else found by shape in the kernel image. */
async function decodeKernelKallsyms(vm: VirtualLayer, info: Vmcoreinfo, signal?: AbortSignal): Promise<KernelSymbols> {
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
  const why = failure instanceof Error ? ` (${failure.message})` : '';
  throw new MemscopeError('OS_NOT_FOUND', `Linux ${info.osRelease}: the kernel symbol table (kallsyms) was not found in memory${why}`);
}

function noBtf(d: LinuxDiscovery, why: string): MemscopeError {
  return new MemscopeError(
    'SYMBOLS_MISSING',
    [
      `Linux ${d.release}: ${why}, so its structures cannot be read without a symbol table.`,
      `Provide a Volatility 3 Linux ISF for "${d.banner || d.release}": build it with dwarf2json from the kernel's debug package ` +
        `(e.g. linux-image-${d.release}-dbg: dwarf2json linux --elf /usr/lib/debug/boot/vmlinux-${d.release} > ${d.release}.json), ` +
        'put it under <dir>/linux/ and pass -s <dir>, or drop the .json/.json.xz onto the page.',
    ].join('\n'),
  );
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
