import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import { planChunks, type ScanChunk } from './chunk-plan.ts';
import { createScanner, type ScanHit, type ScanSpec } from './scanner.ts';

export interface ScanPhysicalOptions {
  /** Called after each chunk with physical bytes scanned so far and the total captured. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Default 16 MiB. */
  readonly chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

/**
 * Scans the captured physical memory of a direct-mapped layer (runs read verbatim from
 * `layer.source`), yielding hits in address order. Reads the next chunk while scanning the current one.
 */
export async function* scanPhysical(
  layer: PhysicalLayer,
  wasm: MemscopeWasm,
  spec: ScanSpec,
  options: ScanPhysicalOptions = {},
): AsyncIterable<ScanHit> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const scanner = createScanner(wasm, spec, { chunkCapacity: chunkSize });
  try {
    const chunks = planChunks(layer.runs, chunkSize, scanner.overlap);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let done = 0;
    // Two buffers: the next chunk is read into one while the other is scanned (scanChunk copies it into Wasm).
    const capacity = Math.max(0, ...chunks.map((c) => c.readLength));
    const buffers = [new Uint8Array(capacity), new Uint8Array(capacity)];
    let next = chunks.length > 0 ? readChunk(layer.source, chunks[0]!, buffers[0]) : null;
    for (let i = 0; i < chunks.length; i++) {
      if (options.signal?.aborted) throw new MemscopeError('CANCELLED', 'physical scan cancelled', layer.source.name);
      const bytes = await next!;
      next = i + 1 < chunks.length ? readChunk(layer.source, chunks[i + 1]!, buffers[(i + 1) % 2]) : null;
      const chunk = chunks[i]!;
      yield* scanner.scanChunk(bytes, chunk.address, chunk.length);
      done += chunk.length;
      options.onProgress?.(done, total);
    }
  } finally {
    scanner.dispose();
  }
}

/**
 * The chunk's bytes, in `into` when given (reused between chunks); a file cut short leaves zeros (the
 * layer reported the truncation when opened).
 */
export async function readChunk(source: ByteSource, chunk: ScanChunk, into?: Uint8Array): Promise<Uint8Array> {
  const bytes = into ? into.subarray(0, chunk.readLength) : new Uint8Array(chunk.readLength);
  let at = 0;
  const placed = chunk.pieces.map(async (piece) => {
    const target = bytes.subarray(at, (at += piece.length));
    const got = source.readInto ? await source.readInto(piece.fileOffset, target) : copyInto(target, await source.read(piece.fileOffset, piece.length));
    target.fill(0, got);
  });
  await Promise.all(placed);
  return bytes;
}

function copyInto(target: Uint8Array, data: Uint8Array): number {
  const n = Math.min(target.length, data.length);
  target.set(data.subarray(0, n));
  return n;
}
