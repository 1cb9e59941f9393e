import type { MemscopeWasm } from '../layers/wasm-module.ts';
import type { ScanChunk } from './chunk-plan.ts';
import { createScanner, type Scanner, type ScanHit, type ScanSpec } from './scanner.ts';

/**
 * A scan worker's side of a pooled scan (browser and Node alike): its own Wasm instance, the scanner of the last spec
 * kept for the next chunk. The worker reads a chunk's bytes itself, then hands them here.
 */
export class ChunkScanner {
  private scanner: { key: string; scanner: Scanner } | undefined;

  constructor(private readonly wasm: MemscopeWasm) {}

  /**
   * The chunk's hits, its bytes given as the file pieces' (`parts[i]` holds `chunk.pieces[i]`; shorter where the file
   * ends, the rest reads as zeros). Synchronous: reads of several chunks may overlap in a worker (a chunk of a stopped
   * scan still being read while the next scan's arrives), the scanner is only used between them.
   */
  scan(spec: ScanSpec, chunk: ScanChunk, parts: readonly Uint8Array[]): ScanHit[] {
    const scanner = this.scannerFor(spec, chunk.length);
    const input = scanner.inputView(chunk.readLength);
    let at = 0;
    chunk.pieces.forEach((piece, i) => {
      const part = (parts[i] ?? new Uint8Array()).subarray(0, piece.length);
      input.set(part, at);
      input.fill(0, at + part.length, at + piece.length);
      at += piece.length;
    });
    input.fill(0, at);
    return scanner.scanChunk(input, chunk.address, chunk.length);
  }

  private scannerFor(spec: ScanSpec, chunkLength: number): Scanner {
    const key = JSON.stringify(spec, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
    if (this.scanner?.key !== key || this.scanner.scanner.chunkCapacity < chunkLength) {
      this.scanner?.scanner.dispose();
      this.scanner = { key, scanner: createScanner(this.wasm, spec, { chunkCapacity: Math.max(chunkLength, 1) }) };
    }
    return this.scanner.scanner;
  }
}
