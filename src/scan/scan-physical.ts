import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import { planChunks, SCAN_CHUNK_BYTES, type ScanChunk } from './chunk-plan.ts';
import { createScanner, type ScanHit, type ScanSpec } from './scanner.ts';

export interface ScanPhysicalOptions {
  /** Called after each chunk with physical bytes scanned so far and the total captured. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Default 16 MiB. */
  readonly chunkSize?: number;
}

/** Reads kept in flight: two keep a file system with parallel reads (Node's thread pool) busy. */
const READ_AHEAD = 2;

/**
 * Scans the captured physical memory of a layer, yielding hits in address order. Reads ahead while
 * scanning: a direct-mapped layer's runs straight from `layer.source`, any other through `layer.read`.
 */
export async function* scanPhysical(
  layer: PhysicalLayer,
  wasm: MemscopeWasm,
  spec: ScanSpec,
  options: ScanPhysicalOptions = {},
): AsyncIterable<ScanHit> {
  const chunkSize = options.chunkSize ?? SCAN_CHUNK_BYTES;
  const scanner = createScanner(wasm, spec, { chunkCapacity: chunkSize });
  const pending: Promise<Uint8Array>[] = [];
  try {
    const chunks = planChunks(layer.runs, chunkSize, scanner.overlap);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let done = 0;
    // READ_AHEAD chunks are being read into their own buffers while one is scanned (scanChunk copies it into Wasm).
    const capacity = Math.max(0, ...chunks.map((c) => c.readLength));
    const buffers = Array.from({ length: READ_AHEAD + 1 }, () => new Uint8Array(capacity));
    const read = isDirectMapped(layer)
      ? (c: ScanChunk, into: Uint8Array) => readChunk(layer.source, c, into)
      : (c: ScanChunk, into: Uint8Array) => readChunkThroughLayer(layer, c, into);
    // A read ahead is marked handled when it starts: one that fails while the consumer is still busy with the chunk
    // before it (the generator suspended at a yield) must not end the process as an unhandled rejection. Awaiting it
    // still throws, and reads left in flight when the scan stops early fail silently.
    const startRead = (i: number) => {
      const reading = read(chunks[i]!, buffers[i % buffers.length]!);
      reading.catch(() => undefined);
      pending.push(reading);
    };
    for (let i = 0; i < Math.min(READ_AHEAD, chunks.length); i++) startRead(i);
    for (let i = 0; i < chunks.length; i++) {
      if (options.signal?.aborted) throw new MemscopeError('CANCELLED', 'physical scan cancelled', layer.source.name);
      const bytes = await pending.shift()!;
      if (i + READ_AHEAD < chunks.length) startRead(i + READ_AHEAD);
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
    const got = source.readInto
      ? await source.readInto(piece.fileOffset, target)
      : copyInto(target, await source.read(piece.fileOffset, piece.length));
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

/** The chunk's bytes read through the layer (containers whose runs are not file ranges, e.g. AFF4). */
async function readChunkThroughLayer(layer: PhysicalLayer, chunk: ScanChunk, into: Uint8Array): Promise<Uint8Array> {
  const bytes = into.subarray(0, chunk.readLength);
  bytes.set(await layer.read(chunk.address, chunk.readLength));
  return bytes;
}
