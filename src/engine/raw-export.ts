import { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';

/** A stretch of the raw image: captured bytes to write at their address, or a hole the writer leaves zero. */
export type RawPiece =
  | { readonly kind: 'data'; readonly address: number; readonly bytes: Uint8Array }
  | { readonly kind: 'hole'; readonly address: number; readonly length: number };

export interface RawExportOptions {
  /** Bytes read per piece of data (default 16 MiB): the most the export holds at once. */
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * The image's physical memory as a raw image (file offset = physical address, 0 up to the highest address + 1), piece
 * by piece in address order: each captured run (and each range of filler the container states) read through the
 * container in bounded chunks, each hole between them as its length, for a writer to leave sparse or fill with zeros.
 */
export async function* rawImagePieces(layer: PhysicalLayer, options: RawExportOptions = {}): AsyncGenerator<RawPiece> {
  const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  // What reads as anything but zeros: the captured runs, and the filler some containers state (AFF4's symbolic streams).
  const written = [...layer.runs, ...(layer.patterned ?? [])].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const run of written) {
    if (run.start > at) yield { kind: 'hole', address: at, length: run.start - at };
    for (let address = run.start, end = run.start + run.length; address < end; address += chunk) {
      if (options.signal?.aborted) throw new MemscopeError('CANCELLED', 'raw image export cancelled', layer.source.name);
      yield { kind: 'data', address, bytes: await layer.read(address, Math.min(chunk, end - address)) };
    }
    at = run.start + run.length;
  }
  if (layer.size > at) yield { kind: 'hole', address: at, length: layer.size - at };
}
