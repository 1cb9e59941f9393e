import { MemscopeError } from '../errors.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';

/** What to look for. Tags: 4-byte values at addresses ≡ offset (mod alignment); default x64 pool tags (16, 4). */
export type ScanSpec =
  | {
      readonly kind: 'tags';
      /** 4-character strings (Latin-1, e.g. "Proc") or 4-byte arrays. */
      readonly tags: readonly (string | Uint8Array)[];
      readonly alignment?: number;
      readonly offset?: number;
    }
  | {
      readonly kind: 'bytes';
      /** 2..64 bytes each, matched at any address. */
      readonly patterns: readonly Uint8Array[];
    };

/** A match: index into the spec's tags/patterns and the address of its first byte. */
export interface ScanHit {
  readonly pattern: number;
  readonly address: number;
}

export interface ScannerOptions {
  /** Bytes scanned per Wasm call (the input buffer holds this plus `overlap`). Default 16 MiB. */
  readonly chunkCapacity?: number;
  /** Hits collected per Wasm call before it returns to let JS drain them. Default 4096. */
  readonly hitCapacity?: number;
}

export interface Scanner {
  /** Bytes a chunk must extend past the range it reports on, so that matches crossing its end are found. */
  readonly overlap: number;
  /** Largest reported range per Wasm call; `inputView` holds up to chunkCapacity + overlap bytes. */
  readonly chunkCapacity: number;
  /**
   * A view of the scanner's input buffer in Wasm memory, to read file bytes into without a copy.
   * Valid until Wasm memory grows (i.e. until something allocates); pass it back to `scanChunk` as is.
   */
  inputView(length: number): Uint8Array;
  /**
   * Hits whose first byte lies in bytes[0, limit), as addresses physBase + offset. Bytes after `limit`
   * (at most `overlap` are needed) only complete matches that start before it.
   */
  scanChunk(bytes: Uint8Array, physBase: number, limit?: number): ScanHit[];
  /** Frees the scanner's Wasm memory. */
  dispose(): void;
}

/** Byte patterns per scan. */
export const MAX_PATTERNS = 16;
/** Tags per scan (one pass can look for every pool scanner's tags at once). */
export const MAX_TAGS = 32;
export const MIN_PATTERN_LENGTH = 2;
export const MAX_PATTERN_LENGTH = 64;
const DEFAULT_CHUNK_CAPACITY = 16 * 1024 * 1024;
const MAX_CHUNK_CAPACITY = 1024 * 1024 * 1024;
const DEFAULT_HIT_CAPACITY = 4096;
const HIT_RECORD = 8;
const PATTERN_RECORD = 48; // see assembly/scan.ts
const TAG_SLOTS = MAX_TAGS;

/** Bytes past a chunk's end that must be read so matches crossing it are found (longest pattern − 1). */
export function scanOverlap(spec: ScanSpec): number {
  return spec.kind === 'tags' ? 3 : Math.max(...spec.patterns.map((p) => p.length)) - 1;
}

export function createScanner(wasm: MemscopeWasm, spec: ScanSpec, options: ScannerOptions = {}): Scanner {
  const chunkCapacity = options.chunkCapacity ?? DEFAULT_CHUNK_CAPACITY;
  const hitCapacity = options.hitCapacity ?? DEFAULT_HIT_CAPACITY;
  if (!Number.isInteger(chunkCapacity) || chunkCapacity < 1 || chunkCapacity > MAX_CHUNK_CAPACITY) {
    throw new MemscopeError('BAD_REQUEST', `scan chunk capacity must be 1..${MAX_CHUNK_CAPACITY} bytes`);
  }
  if (!Number.isInteger(hitCapacity) || hitCapacity < 1) throw new MemscopeError('BAD_REQUEST', 'hit capacity must be ≥ 1');
  const matcher = spec.kind === 'tags' ? tagMatcher(wasm, spec) : bytesMatcher(wasm, spec.patterns);
  const overlap = scanOverlap(spec);
  const input = wasm.alloc(chunkCapacity + overlap, 64);
  const hits = wasm.alloc((hitCapacity + Math.max(MAX_PATTERNS, MAX_TAGS)) * HIT_RECORD);
  const ctl = wasm.alloc(16);
  let disposed = false;
  let lastView: Uint8Array | null = null;

  /** Scans bytes already at `input`: offsets [0, limit) of `length` bytes. */
  function scanInput(length: number, physBase: number, limit: number, found: ScanHit[]): void {
    let start = matcher.firstOffset(physBase);
    while (start < limit) {
      const count = matcher.run(input, length, start, limit, hits, hitCapacity, ctl);
      const view = wasm.view;
      for (let i = 0; i < count; i++) {
        const rec = hits + i * HIT_RECORD;
        found.push({ pattern: view.getUint32(rec, true), address: physBase + view.getUint32(rec + 4, true) });
      }
      const next = view.getUint32(ctl, true);
      if (next <= start) throw new Error('scanner made no progress');
      start = next;
    }
  }

  return {
    overlap,
    chunkCapacity,
    inputView(length) {
      if (disposed) throw new MemscopeError('BAD_REQUEST', 'scanner disposed');
      if (length > chunkCapacity + overlap) throw new MemscopeError('BAD_REQUEST', `input view of ${length} bytes exceeds the scanner buffer`);
      lastView = wasm.bytes.subarray(input, input + length);
      return lastView;
    },
    scanChunk(bytes, physBase, limit = bytes.length) {
      if (disposed) throw new MemscopeError('BAD_REQUEST', 'scanner disposed');
      if (!Number.isSafeInteger(physBase) || physBase < 0) throw new MemscopeError('BAD_REQUEST', `invalid base address ${physBase}`);
      if (bytes === lastView && bytes.buffer !== wasm.memory.buffer) {
        throw new MemscopeError('BAD_REQUEST', 'scanner input view was detached by Wasm memory growth; take a new one');
      }
      limit = Math.max(0, Math.min(limit, bytes.length));
      const found: ScanHit[] = [];
      const inPlace = bytes.buffer === wasm.memory.buffer && bytes.byteOffset === input;
      if (inPlace && limit <= chunkCapacity) {
        scanInput(bytes.length, physBase, limit, found);
        return found;
      }
      // Windows of chunkCapacity reported bytes, each followed by up to `overlap` bytes of context.
      for (let at = 0; at < limit; at += chunkCapacity) {
        const window = bytes.subarray(at, Math.min(bytes.length, at + chunkCapacity + overlap));
        wasm.bytes.set(window, input);
        scanInput(window.length, physBase + at, Math.min(chunkCapacity, limit - at), found);
      }
      return found;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      matcher.dispose();
      wasm.free(input);
      wasm.free(hits);
      wasm.free(ctl);
    },
  };
}

interface Matcher {
  /** First offset to test in a chunk starting at physical address `physBase`. */
  firstOffset(physBase: number): number;
  run(data: number, length: number, start: number, limit: number, out: number, cap: number, ctl: number): number;
  dispose(): void;
}

function tagMatcher(wasm: MemscopeWasm, spec: Extract<ScanSpec, { kind: 'tags' }>): Matcher {
  const alignment = spec.alignment ?? 16;
  const offset = spec.offset ?? 4;
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 1 << 20) {
    throw new MemscopeError('BAD_REQUEST', `tag alignment ${alignment} must be 1..2^20`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= alignment) {
    throw new MemscopeError('BAD_REQUEST', `tag offset ${offset} must be 0..${alignment - 1}`);
  }
  checkCount(spec.tags.length, MAX_TAGS);
  const values = spec.tags.map(tagValue);
  const tags = wasm.alloc(TAG_SLOTS * 4);
  const view = wasm.view;
  // Unused slots repeat tag 0: they only feed the SIMD prefilter, hits come from the first ntags.
  for (let i = 0; i < TAG_SLOTS; i++) view.setUint32(tags + i * 4, values[i] ?? values[0]!, true);
  return {
    firstOffset: (physBase) => (((offset - (physBase % alignment)) % alignment) + alignment) % alignment,
    run: (data, length, start, limit, out, cap, ctl) =>
      wasm.exports.scanTags(data, length, start, alignment, limit, tags, values.length, out, cap, ctl),
    dispose: () => wasm.free(tags),
  };
}

function tagValue(tag: string | Uint8Array): number {
  let bytes: Uint8Array;
  if (typeof tag === 'string') {
    // eslint-disable-next-line no-control-regex -- any Latin-1 character, NUL included, is a valid tag byte
    if (!/^[\x00-\xff]{4}$/.test(tag)) throw new MemscopeError('BAD_REQUEST', `tag ${JSON.stringify(tag)} is not 4 Latin-1 characters`);
    bytes = Uint8Array.from(tag, (c) => c.charCodeAt(0));
  } else {
    bytes = tag;
  }
  if (bytes.length !== 4) throw new MemscopeError('BAD_REQUEST', `a tag has 4 bytes, not ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

function bytesMatcher(wasm: MemscopeWasm, patterns: readonly Uint8Array[]): Matcher {
  checkCount(patterns.length, MAX_PATTERNS);
  for (const p of patterns) {
    if (p.length < MIN_PATTERN_LENGTH || p.length > MAX_PATTERN_LENGTH) {
      throw new MemscopeError('BAD_REQUEST', `byte patterns need ${MIN_PATTERN_LENGTH}..${MAX_PATTERN_LENGTH} bytes, not ${p.length}`);
    }
  }
  const records = wasm.alloc(patterns.length * PATTERN_RECORD);
  const bytes = wasm.alloc(patterns.length * MAX_PATTERN_LENGTH);
  const memory = wasm.bytes;
  const view = wasm.view;
  patterns.forEach((pattern, i) => {
    const rec = records + i * PATTERN_RECORD;
    const at = bytes + i * MAX_PATTERN_LENGTH;
    memory.set(pattern, at);
    const [k1, k2] = probePositions(pattern);
    view.setUint32(rec, at, true);
    view.setUint32(rec + 4, pattern.length, true);
    view.setUint32(rec + 8, k1, true);
    view.setUint32(rec + 12, k2, true);
    memory.fill(pattern[k1]!, rec + 16, rec + 32);
    memory.fill(pattern[k2]!, rec + 32, rec + 48);
  });
  return {
    firstOffset: () => 0,
    run: (data, length, start, limit, out, cap, ctl) => wasm.exports.scanBytes(data, length, start, limit, records, patterns.length, out, cap, ctl),
    dispose: () => {
      wasm.free(records);
      wasm.free(bytes);
    },
  };
}

/**
 * The two bytes of a pattern the prefilter compares: the least common ones in memory images
 * (zero, 0xff and text bytes abound), the farthest apart among equals.
 */
export function probePositions(pattern: Uint8Array): [number, number] {
  let best: [number, number] = [0, 1];
  let bestScore = Infinity;
  for (let i = 0; i < pattern.length; i++) {
    for (let j = i + 1; j < pattern.length; j++) {
      const score = (commonness(pattern[i]!) + commonness(pattern[j]!)) * 256 - (j - i);
      if (score < bestScore) {
        bestScore = score;
        best = [i, j];
      }
    }
  }
  return best;
}

function commonness(b: number): number {
  if (b === 0x00) return 4;
  if (b === 0xff) return 3;
  if (b === 0x20 || (b >= 0x61 && b <= 0x7a) || b === 0x01) return 2;
  if ((b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39)) return 1;
  return 0;
}

function checkCount(n: number, max: number): void {
  if (n < 1 || n > max) throw new MemscopeError('BAD_REQUEST', `scans take 1..${max} patterns, not ${n}`);
}
