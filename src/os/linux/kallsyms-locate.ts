import { indexOfBytes } from './byte-search.ts';
import type { KallsymsTables, KernelReader } from './kallsyms-tables.ts';
import { MAX_SYMBOLS } from './kallsyms-tables.ts';

const CHUNK = 4 * 1024 * 1024;
/** Single-character tokens '0'..'9' sit side by side in every token table: digits occur in symbol names. */
const DIGITS = new TextEncoder().encode('0\x001\x002\x003\x004\x005\x006\x007\x008\x009\x00');
const BACK = 16 * 1024 * 1024;
/** Counts that merely fit the marker count, per token table: the caller decodes each. */
const MAX_CANDIDATES = 8;

/**
 * Candidate kallsyms table sets found by their shape, for kernels whose VMCOREINFO does not name them (before
 * 6.0); the caller decodes each to confirm. Layout (scripts/kallsyms.c, 4.6–6.3): offsets, relative_base,
 * num_syms, names, markers, token_table, token_index, each 8-byte aligned. Found from the token table, which
 * holds "0", "1", ... "9" in a row.
 */
export async function* kallsymsCandidates(reader: KernelReader, start: bigint, length: number, signal?: AbortSignal): AsyncGenerator<KallsymsTables> {
  for (let at = 0; at < length; at += CHUNK) {
    signal?.throwIfAborted();
    const chunk = await reader.readPadded(start + BigInt(at), Math.min(CHUNK, length - at) + DIGITS.length);
    for (let hit = indexOfBytes(chunk, DIGITS, 0, CHUNK); hit >= 0; hit = indexOfBytes(chunk, DIGITS, hit + 1, CHUNK)) {
      const table = await tokenTableAt(reader, start + BigInt(at + hit));
      if (!table) continue;
      yield* walkBack(reader, table);
    }
  }
}

/**
 * Validates a "0\01\0..." hit as token '0' (0x30) of a token table followed by its index. Token 1 starts
 * after the 47th NUL back; where token 0 starts only the index says (its first entry after 0 is its length).
 */
async function tokenTableAt(reader: KernelReader, digitsAt: bigint): Promise<{ tokenTable: bigint; tokenIndex: bigint } | null> {
  const before = await reader.read(digitsAt - 4096n, 4096);
  if (!before) return null;
  let pos = before.length - 1;
  for (let n = 0; n < 47; n++) {
    if (before[pos] !== 0) return null;
    pos--;
    while (pos >= 0 && before[pos] !== 0) pos--;
    if (pos < 0) return null;
  }
  const token1 = digitsAt - 4096n + BigInt(pos + 1);
  const rest = await reader.readPadded(token1, 255 * 64);
  let end = 0;
  for (let n = 1; n < 256; n++) {
    const nul = rest.indexOf(0, end);
    if (nul < 0 || nul === end) return null;
    end = nul + 1;
  }
  const tokenIndex = align8(token1 + BigInt(end));
  const index = await reader.read(tokenIndex, 512);
  if (!index) return null;
  const token0Length = new DataView(index.buffer, index.byteOffset, 4).getUint16(2, true);
  if (token0Length < 2 || token0Length > 64) return null;
  const tokenTable = token1 - BigInt(token0Length);
  const table = await reader.read(tokenTable, end + token0Length);
  return table && indexMatches(table, index) ? { tokenTable, tokenIndex } : null;
}

function indexMatches(table: Uint8Array, index: Uint8Array): boolean {
  const dv = new DataView(index.buffer, index.byteOffset, index.byteLength);
  let at = 0;
  for (let n = 0; n < 256; n++) {
    if (dv.getUint16(n * 2, true) !== at) return false;
    at = table.indexOf(0, at) + 1;
  }
  return true;
}

/**
 * Table sets ending at this token table. Before it: the markers (u32, or u64 on old kernels; one per 256
 * symbols, rising from 0), since 6.2 (and some 6.1 stable builds) with kallsyms_seqs_of_names (3 bytes a
 * symbol) between them; before the markers num_syms, 8 bytes before names. Every count that fits is a candidate.
 */
async function* walkBack(reader: KernelReader, t: { tokenTable: bigint; tokenIndex: bigint }): AsyncGenerator<KallsymsTables> {
  const base = t.tokenTable - BigInt(BACK);
  const region = await reader.readPadded(base, BACK);
  const dv = new DataView(region.buffer, region.byteOffset, region.byteLength);
  const end = region.length;
  let candidates = 0;
  const tables = (numAt: number, count: number): KallsymsTables => {
    const numSyms = base + BigInt(numAt);
    candidates++;
    return {
      numSyms,
      names: numSyms + 8n,
      tokenTable: t.tokenTable,
      tokenIndex: t.tokenIndex,
      relativeBase: numSyms - 8n,
      offsets: numSyms - 8n - BigInt(align8n(count * 4)),
    };
  };
  for (const width of [4, 8] as const) {
    // Without seqs_of_names the markers end at the token table (after padding).
    const markers = markersEndingAt(dv, end, width);
    if (markers)
      for (const numAt of numSymsBefore(dv, markers.start, markers.count, markers.last))
        if (candidates < MAX_CANDIDATES) yield tables(numAt, countAt(dv, numAt));
  }
  // With seqs_of_names: seqs start 8-aligned, 3 bytes per symbol, then padding to the token table.
  for (let seqsStart = end - 8; seqsStart > 8 && end - seqsStart <= 3 * MAX_SYMBOLS + 8 && candidates < MAX_CANDIDATES; seqsStart -= 8) {
    const length = end - seqsStart;
    for (let count = Math.ceil((length - 7) / 3); count * 3 <= length; count++) {
      const markers = markersEndingAt(dv, seqsStart, 4);
      if (!markers || markers.count !== Math.ceil(count / 256)) continue;
      for (const numAt of numSymsBefore(dv, markers.start, markers.count, markers.last)) {
        if (countAt(dv, numAt) === count && candidates < MAX_CANDIDATES) yield tables(numAt, count);
      }
    }
  }
}

const countAt = (dv: DataView, at: number): number => dv.getUint32(at, true);

/** The markers array ending at `end` (after up to 4 bytes of padding): strictly rising from 0. */
function markersEndingAt(dv: DataView, end: number, width: 4 | 8): { start: number; count: number; last: number } | null {
  const read = (at: number) => (width === 4 ? dv.getUint32(at, true) : Number(dv.getBigUint64(at, true)));
  for (const padding of [0, 4]) {
    let at = end - padding - width;
    if (at < 0 || read(at) === 0) continue;
    const last = read(at);
    let previous = Infinity;
    let count = 0;
    for (; at >= 0; at -= width) {
      const v = read(at);
      if (v >= previous) break;
      previous = v;
      count++;
      if (v === 0) return count >= 2 ? { start: at, count, last } : null;
    }
  }
  return null;
}

/** Offsets of num_syms candidates: a count fitting the markers, with room for the names before the markers. */
function* numSymsBefore(dv: DataView, markersStart: number, markerCount: number, lastMarker: number): Generator<number> {
  for (let numAt = (markersStart - 8) & ~7; numAt >= 8; numAt -= 8) {
    const count = dv.getUint32(numAt, true);
    if (count > 0 && count <= MAX_SYMBOLS && Math.ceil(count / 256) === markerCount && numAt + 8 + lastMarker < markersStart) yield numAt;
  }
}

const align8 = (v: bigint): bigint => (v + 7n) & ~7n;
const align8n = (v: number): number => (v + 7) & ~7;
