import type { PhysicalRun } from '../layers/physical-layer.ts';

/** Physical bytes per chunk of a scan, inline or in a pool of workers: large enough that a chunk's fixed costs vanish. */
export const SCAN_CHUNK_BYTES = 16 * 1024 * 1024;

/** A stretch of the image file holding part of a chunk. */
export interface FilePiece {
  readonly fileOffset: number;
  readonly length: number;
}

/**
 * One unit of scanning work: hits are reported for [address, address + length); the bytes read
 * cover [address, address + readLength), i.e. up to `overlap` more bytes of physically contiguous
 * memory, so matches that start in the chunk and cross its end are found exactly once.
 */
export interface ScanChunk {
  readonly address: number;
  readonly length: number;
  readonly readLength: number;
  /** Where the readLength bytes are in the file, in order; meaningless unless the layer is direct-mapped. */
  readonly pieces: readonly FilePiece[];
}

/** Splits physical memory into chunks of `chunkSize`; physically adjacent runs are scanned as one. */
export function planChunks(runs: readonly PhysicalRun[], chunkSize: number, overlap: number): ScanChunk[] {
  const chunks: ScanChunk[] = [];
  for (const segment of contiguousSegments(runs)) {
    const segmentEnd = segment[0]!.start + segment.reduce((n, r) => n + r.length, 0);
    for (let address = segment[0]!.start; address < segmentEnd; address += chunkSize) {
      const length = Math.min(chunkSize, segmentEnd - address);
      const readLength = Math.min(chunkSize + overlap, segmentEnd - address);
      chunks.push({ address, length, readLength, pieces: filePieces(segment, address, readLength) });
    }
  }
  return chunks;
}

function contiguousSegments(runs: readonly PhysicalRun[]): PhysicalRun[][] {
  const segments: PhysicalRun[][] = [];
  for (const run of runs) {
    if (run.length <= 0) continue;
    const last = segments[segments.length - 1];
    const tail = last?.[last.length - 1];
    if (last && tail && tail.start + tail.length === run.start) last.push(run);
    else segments.push([run]);
  }
  return segments;
}

function filePieces(segment: readonly PhysicalRun[], address: number, length: number): FilePiece[] {
  const pieces: FilePiece[] = [];
  const end = address + length;
  for (const run of segment) {
    const from = Math.max(address, run.start);
    const to = Math.min(end, run.start + run.length);
    if (from < to) pieces.push({ fileOffset: run.fileOffset + (from - run.start), length: to - from });
  }
  return pieces;
}
