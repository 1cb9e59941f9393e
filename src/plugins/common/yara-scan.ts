import type { PluginContext, YaraChunkMatch, YaraChunkMatches, YaraChunkOutcome, YaraRequest } from '../api.ts';
import type { YaraRules } from './yara.ts';
import { countBelow } from './sorted-search.ts';

/**
 * Bytes scanned per YARA-X call. Each call costs ~20 ms on top of its bytes (see yara.ts), so chunks are large;
 * memory holds one chunk (and YARA-X its copy in the Wasm heap), never the image.
 */
export const YARA_CHUNK = 32 * 1024 * 1024;
/**
 * Bytes read past each chunk's end so that a match starting in the chunk and crossing its end is found whole. YARA-X
 * bounds regexp and hex-jump matches at ~4 KiB; 64 KiB also covers literal patterns up to that length. A match longer
 * than this that starts near a chunk's end is missed.
 */
export const YARA_OVERLAP = 64 * 1024;
/** Matches kept per pattern and chunk (LIMIT warning beyond). */
export const YARA_MAX_MATCHES_PER_PATTERN = 10_000;
/** Default time YARA-X may take over one chunk: its Wasm build does not enforce one (yara.ts), the host's workers do. */
export const YARA_TIMEOUT_MS = 10_000;

/** Scans one call's bytes: the matches that start in the first `length` bytes, or that YARA-X ran out of time. */
export type ChunkMatcher = (bytes: Uint8Array, length: number) => Promise<YaraChunkOutcome>;

/** A run's YARA scanning (optionScanner): once a call has run out of time, the run scans no more. */
export interface YaraScanner {
  readonly request: YaraRequest;
  readonly match: ChunkMatcher;
  /** A call ran out of time; the run warned and stopped scanning. */
  stopped: boolean;
  free(): void;
}

/** A stretch of an address space to scan; adjacent ranges are scanned as one. */
export interface ScanRange {
  readonly start: bigint;
  readonly length: number;
}

/** One match at its address in the space scanned, with the bytes it matched. */
export interface YaraMatch {
  readonly address: bigint;
  readonly rule: string;
  readonly pattern: string;
  readonly value: Uint8Array;
}

/**
 * Reads `length` bytes at `address` (unreadable bytes as zeros, or null when none can be read). The bytes it gives
 * may be overwritten by the second call after (scanRanges reads one chunk ahead while it scans one).
 */
export type RangeReader = (address: bigint, length: number) => Promise<Uint8Array | null>;

/** A chunk of a scan: matches are kept for [at, at + length); the bytes read run to at + readLength. */
export interface YaraChunk {
  readonly at: bigint;
  readonly length: number;
  readonly readLength: number;
}

/**
 * Ranges shorter than this are scanned together, up to YARA_CHUNK bytes at a time: a YARA-X call's fixed cost (see
 * yara.ts) would otherwise dominate address spaces of many small mappings (a kernel's: ~65,000 runs for 256 MiB of RAM).
 */
export const YARA_BATCHED_RANGE = 1024 * 1024;

/** What one YARA call scans: a chunk of a long range, or several short ranges whole, one after another. */
export type YaraScanUnit = { readonly chunk: YaraChunk } | { readonly batch: readonly ScanRange[] };

/**
 * `ranges` (merged) as YARA calls, in address order: long ones in chunks of YARA_CHUNK, each read YARA_OVERLAP past its
 * end where its range goes on; short ones batched.
 */
export function yaraScanUnits(ranges: readonly ScanRange[]): YaraScanUnit[] {
  const units: YaraScanUnit[] = [];
  let batch: ScanRange[] = [];
  let batched = 0;
  const ship = () => {
    if (batch.length > 0) units.push({ batch });
    batch = [];
    batched = 0;
  };
  for (const range of merge(ranges)) {
    if (range.length >= YARA_BATCHED_RANGE) {
      ship();
      units.push(...rangeChunks(range).map((chunk) => ({ chunk })));
      continue;
    }
    if (batched + range.length > YARA_CHUNK) ship();
    batch.push(range);
    batched += range.length;
  }
  ship();
  return units;
}

function rangeChunks(segment: ScanRange): YaraChunk[] {
  const end = segment.start + BigInt(segment.length);
  const out: YaraChunk[] = [];
  for (let at = segment.start; at < end; at += BigInt(YARA_CHUNK)) {
    const left = Number(end - at);
    out.push({ at, length: Math.min(YARA_CHUNK, left), readLength: Math.min(YARA_CHUNK + YARA_OVERLAP, left) });
  }
  return out;
}

/** The matches of one chunk's bytes that start in its first `length` bytes, each with a copy of the bytes it matched. */
export function chunkMatches(rules: YaraRules, bytes: Uint8Array, length: number): YaraChunkMatch[] {
  return rules.scan(bytes, length).map((hit) => ({
    offset: hit.offset,
    rule: hit.rule,
    pattern: hit.pattern,
    value: bytes.slice(hit.offset, hit.offset + hit.length),
    capped: hit.capped,
  }));
}

/**
 * Every match of `rules` in `ranges`, in address order, each once: chunks of YARA_CHUNK are scanned with YARA_OVERLAP
 * more bytes after them, and only matches starting inside the chunk are kept (those starting in the overlap are the
 * next chunk's); ranges shorter than YARA_BATCHED_RANGE are scanned several at a time, each match kept only where it
 * lies within one range. Rule conditions are evaluated per chunk or batch, as Volatility's yarascan evaluates them
 * per chunk (`filesize`, `#a`, `@a[i]` and `at` are about the chunk, not the image).
 */
export async function* scanRanges(
  yara: YaraScanner,
  ranges: readonly ScanRange[],
  read: RangeReader,
  ctx: Pick<PluginContext, 'signal' | 'progress' | 'warn'>,
): AsyncGenerator<YaraMatch> {
  const units = yaraScanUnits(ranges);
  const unitBytes = (u: YaraScanUnit) => ('chunk' in u ? u.chunk.length : u.batch.reduce((n, r) => n + r.length, 0));
  const total = units.reduce((n, u) => n + unitBytes(u), 0);
  let done = 0;
  const capped = new Set<string>();
  const start = (i: number) => {
    const unit = units[i];
    const reading = unit === undefined ? undefined : 'chunk' in unit ? read(unit.chunk.at, unit.chunk.readLength) : readBatch(unit.batch, read);
    // Marked handled when it starts: a read that fails while the chunk before it is still being yielded must not end
    // the process as an unhandled rejection (awaiting it still throws; one left in flight by an early stop fails silently).
    reading?.catch(() => undefined);
    return reading;
  };
  let next = start(0);
  for (let i = 0; i < units.length && !yara.stopped; i++) {
    ctx.signal?.throwIfAborted();
    const unit = units[i]!;
    const bytes = await next;
    // The next chunk is read (by the file system's threads) while this one is scanned.
    next = start(i + 1);
    if (bytes) {
      const found = await yara.match(bytes, 'chunk' in unit ? unit.chunk.length : bytes.length);
      const at = 'chunk' in unit ? unit.chunk.at : unit.batch[0]!.start;
      if ('timedOut' in found) return stopScan(yara, at, ctx);
      if ('chunk' in unit) yield* located(at, found.matches, ctx, capped);
      else yield* batchMatches(found.matches, unit.batch, ctx, capped);
    }
    done += unitBytes(unit);
    ctx.progress(done, total, YARA_STAGE);
  }
}

/** Short ranges' bytes one after another (unreadable ones as zeros); null when none can be read. */
async function readBatch(batch: readonly ScanRange[], read: RangeReader): Promise<Uint8Array | null> {
  const out = new Uint8Array(batch.reduce((n, r) => n + r.length, 0));
  let at = 0;
  let any = false;
  for (const range of batch) {
    const bytes = await read(range.start, range.length);
    if (bytes) out.set(bytes.subarray(0, range.length), at);
    any ||= bytes !== null;
    at += range.length;
  }
  return any ? out : null;
}

/** A batch's matches at their ranges' addresses: those that lie within one range (none crosses into the next). */
function* batchMatches(
  matches: readonly YaraChunkMatch[],
  batch: readonly ScanRange[],
  ctx: Pick<PluginContext, 'warn'>,
  capped: Set<string>,
): Generator<YaraMatch> {
  const starts: number[] = [];
  batch.reduce((at, r) => (starts.push(at), at + r.length), 0);
  for (const m of matches) {
    const i = Math.max(0, countBelow(starts, m.offset, true) - 1);
    const range = batch[i]!;
    if (m.offset + m.value.length > starts[i]! + range.length) continue;
    if (m.capped) warnCapped(ctx, capped, m.rule, m.pattern);
    yield { address: range.start + BigInt(m.offset - starts[i]!), rule: m.rule, pattern: m.pattern, value: m.value };
  }
}

/** The matches of chunks the host scanned (PluginContext.physicalYara) as scanRanges gives them. */
export async function* hostScanned(
  yara: YaraScanner,
  chunks: AsyncIterable<YaraChunkMatches>,
  ctx: Pick<PluginContext, 'warn'>,
): AsyncGenerator<YaraMatch> {
  const capped = new Set<string>();
  for await (const chunk of chunks) {
    // Leaving the loop stops the host's scan: no chunk after this one is handed out.
    if ('timedOut' in chunk) return stopScan(yara, BigInt(chunk.address), ctx);
    yield* located(BigInt(chunk.address), chunk.matches, ctx, capped);
  }
}

/** The run's scanning ends at `at`, where YARA-X ran out of time, with a warning saying what was not scanned. */
function stopScan(yara: YaraScanner, at: bigint, ctx: Pick<PluginContext, 'warn'>): void {
  yara.stopped = true;
  ctx.warn({
    code: 'LIMIT',
    message:
      `YARA took over ${yara.request.timeoutMs / 1000} s on the memory at 0x${at.toString(16)} and was stopped: nothing from there on ` +
      'was scanned (a rule too slow for this data: simplify it, or raise --yara-timeout)',
  });
}

/** The progress stage of a YARA scan. */
export const YARA_STAGE = 'YARA scan';

function* located(at: bigint, matches: readonly YaraChunkMatch[], ctx: Pick<PluginContext, 'warn'>, capped: Set<string>): Generator<YaraMatch> {
  for (const m of matches) {
    if (m.capped) warnCapped(ctx, capped, m.rule, m.pattern);
    yield { address: at + BigInt(m.offset), rule: m.rule, pattern: m.pattern, value: m.value };
  }
}

function warnCapped(ctx: Pick<PluginContext, 'warn'>, seen: Set<string>, rule: string, pattern: string): void {
  const key = `${rule} ${pattern}`;
  if (seen.has(key)) return;
  seen.add(key);
  ctx.warn({
    code: 'LIMIT',
    message: `YARA rule ${rule} pattern ${pattern}: only the first ${YARA_MAX_MATCHES_PER_PATTERN} matches per ${YARA_CHUNK / 2 ** 20} MiB are reported`,
  });
}

/** Sorted, with touching or overlapping ranges joined, empty ones dropped. */
function merge(ranges: readonly ScanRange[]): ScanRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: { start: bigint; length: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    const lastEnd = last ? last.start + BigInt(last.length) : -1n;
    if (last && r.start <= lastEnd) last.length = Math.max(last.length, Number(r.start + BigInt(r.length) - last.start));
    else out.push({ start: r.start, length: r.length });
  }
  return out;
}
