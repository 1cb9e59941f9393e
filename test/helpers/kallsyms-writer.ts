// Test helper: writes kallsyms tables the way scripts/kallsyms.c lays them out (4.6+ base-relative,
// absolute per-CPU), optionally with 6.2's kallsyms_seqs_of_names, into a buffer at a chosen address.

export interface TestSymbol {
  readonly name: string;
  readonly type: string;
  readonly address: bigint;
}

export interface WrittenKallsyms {
  readonly bytes: Uint8Array;
  readonly base: bigint;
  readonly numSyms: bigint;
  readonly names: bigint;
  readonly markers: bigint;
  readonly tokenTable: bigint;
  readonly tokenIndex: bigint;
  readonly offsets: bigint;
  readonly relativeBase: bigint;
}

const PERCPU_LIMIT = 0x100000n;
/** Multi-character tokens, put in the byte values no symbol character uses. */
const WORDS = ['init', 'kallsyms_', '__', '_s', 'tex', 'rcu_', 'task', 'per'];

/** Tables for `symbols` at `base` (after `lead` junk bytes), followed by `tail` junk bytes. */
export function writeKallsyms(
  symbols: readonly TestSymbol[],
  relativeBase: bigint,
  options: { base: bigint; lead?: number; tail?: number; seqs?: boolean },
): WrittenKallsyms {
  const tokens: string[] = [];
  const used = new Set<number>();
  for (const s of symbols) for (const ch of s.type + s.name) used.add(ch.charCodeAt(0));
  let word = 0;
  for (let b = 0; b < 256; b++) tokens.push(used.has(b) ? String.fromCharCode(b) : WORDS[word++ % WORDS.length]!);
  // Token 0x30..0x39 are the digits whatever happens: the locator relies on it, as on real kernels.
  for (let d = 0; d < 10; d++) tokens[0x30 + d] = String(d);
  const compress = (text: string): number[] => {
    const out: number[] = [];
    for (let i = 0; i < text.length;) {
      let best = text.charCodeAt(i);
      let bestLength = 1;
      tokens.forEach((t, b) => {
        if (t.length > bestLength && text.startsWith(t, i)) [best, bestLength] = [b, t.length];
      });
      if (bestLength === 1 && tokens[best] !== text[i]) throw new Error(`no token for ${text[i]}`);
      out.push(best);
      i += bestLength;
    }
    return out;
  };
  const out: number[] = [];
  const lead = options.lead ?? 0;
  for (let i = 0; i < lead; i++) out.push((i * 37 + 11) & 0xff);
  const align = () => {
    while (out.length % 8) out.push(0);
  };
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const u64 = (v: bigint) => {
    for (let i = 0n; i < 8n; i++) out.push(Number((v >> (8n * i)) & 0xffn));
  };
  const at = () => options.base + BigInt(out.length);
  align();
  const offsets = at();
  for (const s of symbols) u32(Number(BigInt.asIntN(32, s.address < PERCPU_LIMIT ? s.address : relativeBase - 1n - s.address)));
  align();
  const relativeBaseAt = at();
  u64(relativeBase);
  const numSyms = at();
  u32(symbols.length);
  align();
  const names = at();
  const markers: number[] = [];
  const namesStart = out.length;
  symbols.forEach((s, i) => {
    if (i % 256 === 0) markers.push(out.length - namesStart);
    const packed = compress(s.type + s.name);
    if (packed.length > 127) out.push((packed.length & 0x7f) | 0x80, packed.length >> 7);
    else out.push(packed.length);
    out.push(...packed);
  });
  align();
  const markersAt = at();
  for (const m of markers) u32(m);
  align();
  if (options.seqs) {
    const order = symbols.map((s, i) => [s.name, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [, i] of order) out.push((i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    align();
  }
  const tokenTable = at();
  const index: number[] = [];
  const tableStart = out.length;
  for (const t of tokens) {
    index.push(out.length - tableStart);
    for (const ch of t) out.push(ch.charCodeAt(0));
    out.push(0);
  }
  align();
  const tokenIndex = at();
  for (const i of index) out.push(i & 0xff, i >> 8);
  for (let i = 0; i < (options.tail ?? 0); i++) out.push((i * 53 + 7) & 0xff);
  return {
    bytes: Uint8Array.from(out),
    base: options.base,
    numSyms,
    names,
    markers: markersAt,
    tokenTable,
    tokenIndex,
    offsets,
    relativeBase: relativeBaseAt,
  };
}

/** A KernelReader over bytes placed at `base`; reads outside return null like unmapped memory. */
export function bufferReader(bytes: Uint8Array, base: bigint) {
  return {
    async read(vaddr: bigint, length: number): Promise<Uint8Array | null> {
      const at = vaddr - base;
      if (at < 0n || at + BigInt(length) > BigInt(bytes.length)) return null;
      return bytes.slice(Number(at), Number(at) + length);
    },
    async readPadded(vaddr: bigint, length: number): Promise<Uint8Array> {
      const out = new Uint8Array(length);
      const at = Number(vaddr - base);
      const from = Math.max(0, at);
      const to = Math.min(bytes.length, at + length);
      if (to > from) out.set(bytes.subarray(from, to), from - at);
      return out;
    },
  };
}
