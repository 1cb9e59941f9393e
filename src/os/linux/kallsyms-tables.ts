import { MemscopeError } from '../../errors.ts';

/** Reads kernel virtual memory (VirtualLayer satisfies it). */
export interface KernelReader {
  read(vaddr: bigint, length: number): Promise<Uint8Array | null>;
  /** Like read, with unmapped pages as zeros. */
  readPadded(vaddr: bigint, length: number): Promise<Uint8Array>;
}

/** Where the kallsyms tables are (relocated kernel virtual addresses). */
export interface KallsymsTables {
  readonly numSyms: bigint;
  readonly names: bigint;
  readonly tokenTable: bigint;
  readonly tokenIndex: bigint;
  readonly offsets: bigint;
  readonly relativeBase: bigint;
}

/** Every kernel symbol kallsyms holds: name, type letter and run-time address. */
export class KernelSymbols {
  private readonly byName = new Map<string, number>();

  constructor(
    readonly names: readonly string[],
    /** One type letter per symbol (T, t, D, d, B, b, R, r, A, ...). */
    readonly types: string,
    readonly addresses: BigUint64Array,
  ) {
    // Globals win over a same-named local; among equals the first listed.
    for (let i = 0; i < names.length; i++) {
      const known = this.byName.get(names[i]!);
      if (known === undefined || (isLocal(types[known]!) && !isLocal(types[i]!))) this.byName.set(names[i]!, i);
    }
  }

  get count(): number {
    return this.names.length;
  }

  address(name: string): bigint | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.addresses[i];
  }

  type(name: string): string | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.types[i];
  }

  *entries(): Generator<{ name: string; type: string; address: bigint }> {
    for (let i = 0; i < this.names.length; i++) yield { name: this.names[i]!, type: this.types[i]!, address: this.addresses[i]! };
  }
}

const isLocal = (type: string): boolean => type >= 'a' && type <= 'z';

/** Compact JSON form for the symbol cache: ~100k symbols in a few MB, read back in tens of milliseconds. */
export interface SerializedKernelSymbols {
  readonly names: string;
  readonly types: string;
  /** The addresses as 64-bit little-endian values, base64. */
  readonly addresses: string;
}

export function serializeKernelSymbols(s: KernelSymbols): SerializedKernelSymbols {
  const bytes = new Uint8Array(s.addresses.length * 8);
  const view = new DataView(bytes.buffer);
  s.addresses.forEach((a, i) => view.setBigUint64(i * 8, a, true));
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return { names: s.names.join('\n'), types: s.types, addresses: btoa(binary) };
}

export function deserializeKernelSymbols(x: SerializedKernelSymbols): KernelSymbols {
  const names = x.names.split('\n');
  const binary = atob(x.addresses); // throws on what is not base64
  if (binary.length !== names.length * 8 || names.length !== x.types.length) throw new Error('inconsistent cached kernel symbols');
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  return new KernelSymbols(
    names,
    x.types,
    BigUint64Array.from(names, (_, i) => view.getBigUint64(i * 8, true)),
  );
}

/** More symbols than any kernel has; a larger count is not kallsyms. */
export const MAX_SYMBOLS = 2_000_000;
const MAX_NAMES_BYTES = 64 * 1024 * 1024;
const TOKEN_TABLE_MAX = 256 * 64;
const latin1 = new TextDecoder('latin1');

/**
 * Decodes kallsyms (kernel/kallsyms.c layout with CONFIG_KALLSYMS_BASE_RELATIVE): names compressed with a
 * 256-entry token table, addresses as 32-bit offsets from kallsyms_relative_base. `textBase` (_stext or
 * _text, known from VMCOREINFO) decides between the absolute-per-CPU and plain relative encodings.
 */
export async function decodeKallsymsTables(reader: KernelReader, t: KallsymsTables, textBase: bigint, signal?: AbortSignal): Promise<KernelSymbols> {
  const fail = (why: string) => new MemscopeError('CORRUPT', `kernel symbol table (kallsyms) ${why}`);
  const countBytes = await reader.read(t.numSyms, 4);
  if (!countBytes) throw fail('count is not in the captured memory');
  const count = u32(countBytes, 0);
  if (count === 0 || count > MAX_SYMBOLS) throw fail(`count ${count} is implausible`);
  const namesLength = t.tokenTable - t.names;
  if (namesLength <= 0n || namesLength > BigInt(MAX_NAMES_BYTES)) throw fail('names table has an implausible size');
  const tableLength = t.tokenIndex - t.tokenTable;
  if (tableLength < 512n || tableLength > BigInt(TOKEN_TABLE_MAX)) throw fail('token table has an implausible size');
  const [names, tokenTable, tokenIndex, offsets, base] = await Promise.all([
    reader.read(t.names, Number(namesLength)),
    reader.read(t.tokenTable, Number(tableLength)),
    reader.read(t.tokenIndex, 512),
    reader.read(t.offsets, count * 4),
    reader.read(t.relativeBase, 8),
  ]);
  if (!names || !tokenTable || !tokenIndex || !offsets || !base) throw fail('is not entirely in the captured memory');
  const tokens = decodeTokens(tokenTable, tokenIndex);
  if (!tokens) throw fail('token table is corrupt');
  const decoded = decodeNames(names, count, tokens, signal);
  if (!decoded) throw fail('names are corrupt');
  const relativeBase = new DataView(base.buffer, base.byteOffset, 8).getBigUint64(0, true);
  const addresses = symbolAddresses(offsets, count, relativeBase, decoded.names, textBase);
  if (!addresses) throw fail(`addresses do not put _text/_stext at 0x${textBase.toString(16)}`);
  return new KernelSymbols(decoded.names, decoded.types, addresses);
}

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

/** The 256 tokens, or null when the index does not point at NUL-terminated strings inside the table. */
export function decodeTokens(table: Uint8Array, index: Uint8Array): string[] | null {
  const dv = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const tokens: string[] = [];
  for (let i = 0; i < 256; i++) {
    const at = dv.getUint16(i * 2, true);
    const end = table.indexOf(0, at);
    if (at >= table.length || end < 0 || (i === 0 && at !== 0)) return null;
    tokens.push(latin1.decode(table.subarray(at, end)));
  }
  return tokens;
}

/** Expands `count` compressed names; the first character of each is the symbol type. */
export function decodeNames(
  names: Uint8Array,
  count: number,
  tokens: readonly string[],
  signal?: AbortSignal,
): { names: string[]; types: string } | null {
  const out: string[] = new Array(count);
  const types: string[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    if ((i & 0xffff) === 0) signal?.throwIfAborted();
    if (at >= names.length) return null;
    let length = names[at++]!;
    if (length & 0x80) {
      // 6.1+: names of 128 tokens or more take a second length byte.
      if (at >= names.length) return null;
      length = (length & 0x7f) | (names[at++]! << 7);
    }
    if (length === 0 || at + length > names.length) return null;
    let text = '';
    for (let j = 0; j < length; j++) text += tokens[names[at + j]!];
    at += length;
    if (text.length < 2) return null;
    types[i] = text[0]!;
    out[i] = text.slice(1);
  }
  return { names: out, types: types.join('') };
}

/**
 * Addresses from 32-bit offsets. With CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64 SMP) non-negative offsets are
 * absolute values (per-CPU variables) and negative ones relative_base - 1 - offset; without it every offset
 * is an unsigned distance from relative_base. The encoding that places _text/_stext at textBase wins.
 */
function symbolAddresses(
  offsets: Uint8Array,
  count: number,
  relativeBase: bigint,
  names: readonly string[],
  textBase: bigint,
): BigUint64Array | null {
  const dv = new DataView(offsets.buffer, offsets.byteOffset, offsets.byteLength);
  const stext = names.indexOf('_stext');
  const anchor = stext >= 0 ? stext : names.indexOf('_text');
  if (anchor < 0) return null;
  for (const absolutePercpu of [true, false]) {
    const address = (i: number): bigint => {
      const offset = dv.getInt32(i * 4, true);
      if (!absolutePercpu) return BigInt.asUintN(64, relativeBase + BigInt(offset >>> 0));
      return offset >= 0 ? BigInt(offset) : BigInt.asUintN(64, relativeBase - 1n - BigInt(offset));
    };
    if (address(anchor) !== textBase) continue;
    const out = new BigUint64Array(count);
    for (let i = 0; i < count; i++) out[i] = address(i);
    return out;
  }
  return null;
}
