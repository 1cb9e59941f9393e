import { isMemscopeError, MemscopeError, type ErrorCode } from '../errors.ts';
import type { YaraChunkMatch } from '../plugins/api/memory.ts';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';

/** What a scan-pool thread starts with (workerData). */
export interface ScanThreadInit {
  readonly module: WebAssembly.Module;
}

/**
 * One chunk to scan, read by the thread from the file at `path`: for a scan spec's hits, or with YARA rules (their text);
 * or bytes sent with the job, scanned with YARA rules (matches kept where they start in the first `length` bytes); or
 * YARA rules to compile now (a scan with them follows).
 */
export type PoolJob = { readonly id: number } & (
  | { readonly kind: 'scan'; readonly path: string; readonly chunk: ScanChunk; readonly spec: ScanSpec }
  | { readonly kind: 'yara'; readonly path: string; readonly chunk: ScanChunk; readonly rules: string }
  | { readonly kind: 'yara-bytes'; readonly rules: string; readonly bytes: Uint8Array; readonly length: number }
  | { readonly kind: 'yara-prepare'; readonly rules: string }
);

/** A thrown error as it crosses the thread boundary: a MemscopeError keeps its code and subject. */
export interface WireError {
  readonly code?: ErrorCode;
  readonly message: string;
  readonly subject?: string;
  readonly stack?: string;
}

/** What a job found — a scan's hits as (pattern, address) pairs, YARA's matches — or why it failed. */
export type PoolResult = { readonly hits: Float64Array<ArrayBuffer> } | { readonly matches: YaraChunkMatch[] } | { readonly error: WireError };
export type PoolReply = PoolResult & { readonly id: number };

export function encodeHits(hits: readonly ScanHit[]): Float64Array<ArrayBuffer> {
  const out = new Float64Array(hits.length * 2);
  hits.forEach((h, i) => {
    out[2 * i] = h.pattern;
    out[2 * i + 1] = h.address;
  });
  return out;
}

export function decodeHits(pairs: Float64Array): ScanHit[] {
  const hits: ScanHit[] = [];
  for (let i = 0; i < pairs.length; i += 2) hits.push({ pattern: pairs[i]!, address: pairs[i + 1]! });
  return hits;
}

export function toWire(e: unknown): WireError {
  if (isMemscopeError(e)) {
    const message = e.subject && e.message.startsWith(`${e.subject}: `) ? e.message.slice(e.subject.length + 2) : e.message;
    return { code: e.code, message, subject: e.subject };
  }
  return e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.code) return new MemscopeError(w.code, w.message, w.subject);
  const error = new Error(`scan worker: ${w.message}`);
  if (w.stack) error.stack = w.stack;
  return error;
}
