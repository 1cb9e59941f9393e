import type { RunSignal, VirtualMemory } from '../api.ts';
import { readPadded } from '../common/padded-read.ts';

/**
 * readline's history entry as bash allocates one per history line (lib/readline/history.h), on x86-64:
 *
 *     typedef struct _hist_entry { char *line; char *timestamp; histdata_t data; } HIST_ENTRY;
 *
 * three pointers, 24 bytes; `timestamp` points at the text "#<seconds since 1970>" bash keeps with each line.
 */
const HIST_ENTRY = { line: 0, timestamp: 8 } as const;
const POINTER = 8;
/** Volatility 3 reads `line` and `timestamp` as char[1024] (its bash64.json). */
const MAX_TEXT = 1024;
/**
 * Volatility's hist_entry.is_valid: at least 10 characters, "#", then what int() takes — bash writes digits only
 * (int() would also take a sign, spaces and underscores).
 */
const TIMESTAMP = /^#\d{9,}$/;
const HASH = 0x23;
/** The last second a Python datetime holds (9999-12-31T23:59:59Z): later times are Volatility's UnparsableValue. */
const MAX_SECONDS = 253402300799n;
const PAGE = 0x1000;
const utf8 = new TextDecoder('utf-8');

/** A stretch of process memory to scan: [start, end). */
export interface HeapRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** A history line recovered from memory. */
export interface HistoryLine {
  /** Where its HIST_ENTRY is. */
  readonly entry: bigint;
  readonly seconds: bigint;
  readonly command: string;
}

export interface HistoryScan {
  /** In time order (lines of one second in address order), as Volatility 3 sorts them. */
  readonly lines: HistoryLine[];
  /** Bytes of the ranges past `maxBytes`, not scanned. */
  readonly unscanned: bigint;
  /** Whether more than `maxEntries` pointers to a "#" were found (the rest not checked). */
  readonly entriesCapped: boolean;
}

/** A range's bytes, what is not readable as zeros (where neither a "#" nor a pointer can be). */
interface Loaded {
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * Volatility 3's linux.bash search in `ranges` (the heap): every pointer-sized value, at any alignment, that points at a
 * "#" byte inside the ranges is taken as a HIST_ENTRY's `timestamp`; the entry is kept when its timestamp reads as
 * "#" and at least 9 digits and its line is not empty. Scans at most `maxBytes` of the ranges (in address order) and
 * checks at most `maxEntries` candidates. Unlike Volatility, which reads 1024 bytes of each string at once and drops
 * it when any of them is not readable, a string is read up to its NUL (a string at the end of what is readable counts).
 */
export async function scanHistory(
  space: VirtualMemory,
  ranges: readonly HeapRange[],
  limits: { readonly maxBytes: number; readonly maxEntries: number },
  signal?: RunSignal,
): Promise<HistoryScan> {
  const { loaded, unscanned } = await load(space, ranges, limits.maxBytes, signal);
  const candidates = timestampPointers(loaded, limits.maxEntries + 1);
  const lines: HistoryLine[] = [];
  for (const { at, target } of candidates.slice(0, limits.maxEntries)) {
    signal?.throwIfAborted();
    const entry = at - BigInt(HIST_ENTRY.timestamp);
    const line = await space.readU64(entry + BigInt(HIST_ENTRY.line));
    const stamp = await readText(space, target);
    if (line === null || stamp === null || !TIMESTAMP.test(stamp)) continue;
    const command = await readText(space, line);
    if (command) lines.push({ entry, seconds: BigInt(stamp.slice(1)), command });
  }
  // Array.prototype.sort is stable, as Python's sorted: one second's lines stay in address order.
  lines.sort((a, b) => (a.seconds < b.seconds ? -1 : a.seconds > b.seconds ? 1 : 0));
  return { lines, unscanned, entriesCapped: candidates.length > limits.maxEntries };
}

/** A history time as Volatility 3 shows it (datetime.fromtimestamp(seconds, utc)); null at or before 1970 and past 9999. */
export function historyTime(seconds: bigint): string | null {
  if (seconds <= 0n || seconds > MAX_SECONDS) return null;
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', '+00:00');
}

async function load(
  space: VirtualMemory,
  ranges: readonly HeapRange[],
  maxBytes: number,
  signal?: RunSignal,
): Promise<{ loaded: Loaded[]; unscanned: bigint }> {
  const loaded: Loaded[] = [];
  let budget = BigInt(maxBytes);
  let unscanned = 0n;
  for (const { start, end } of ranges) {
    const length = end - start < budget ? end - start : budget;
    unscanned += end - start - length;
    budget -= length;
    if (length <= 0n) continue;
    const bytes = new Uint8Array(Number(length));
    // Only what the page tables map is read.
    for await (const run of space.mappedRuns(start, start + length, { signal })) {
      const data = await readPadded(space, run.vaddr, run.length);
      if (data) bytes.set(data, Number(run.vaddr - start));
    }
    // User addresses are below 2^47: plain numbers from here on.
    loaded.push({ start: Number(start), bytes });
  }
  return { loaded, unscanned };
}

/**
 * Where a little-endian pointer to a "#" inside the loaded ranges is stored, in address order, at most `max`. As
 * Volatility's scan (a regular expression's matches, which do not overlap), the search resumes after a match.
 */
function timestampPointers(loaded: readonly Loaded[], max: number): { at: bigint; target: bigint }[] {
  const hashAt = (address: number) => {
    const range = loaded.find((r) => address >= r.start && address < r.start + r.bytes.length);
    return range !== undefined && range.bytes[address - range.start] === HASH;
  };
  // The upper 32 bits a pointer into the ranges can have: the quick test before the whole value is made.
  const highs = new Set(loaded.flatMap((r) => [Math.floor(r.start / 2 ** 32), Math.floor((r.start + r.bytes.length - 1) / 2 ** 32)]));
  const found: { at: bigint; target: bigint }[] = [];
  for (const { start, bytes } of loaded) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + POINTER <= bytes.length && found.length < max; i++) {
      const high = view.getUint32(i + 4, true);
      if (!highs.has(high)) continue;
      const target = high * 2 ** 32 + view.getUint32(i, true);
      if (!hashAt(target)) continue;
      found.push({ at: BigInt(start + i), target: BigInt(target) });
      i += POINTER - 1;
    }
  }
  return found;
}

/**
 * The NUL-terminated text at `address`, at most MAX_TEXT bytes (UTF-8, invalid bytes replaced); null when its first
 * byte, or a page before its NUL, is not readable.
 */
async function readText(space: VirtualMemory, address: bigint): Promise<string | null> {
  const bytes = (await space.read(address, MAX_TEXT)) ?? (await readToNul(space, address));
  if (!bytes) return null;
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** The bytes at `address` page by page up to the first page holding a NUL (MAX_TEXT at most); null when one before it is not readable. */
async function readToNul(space: VirtualMemory, address: bigint): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (let at = address; length < MAX_TEXT;) {
    const piece = Math.min(PAGE - Number(at % BigInt(PAGE)), MAX_TEXT - length);
    const bytes = await space.read(at, piece);
    if (!bytes) return null;
    parts.push(bytes);
    length += piece;
    if (bytes.includes(0)) break;
    at += BigInt(piece);
  }
  const out = new Uint8Array(length);
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}
