import * as Comlink from 'comlink';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import { createScanner, type Scanner, type ScanHit, type ScanSpec } from '../scan/scanner.ts';
import { instantiateMemscopeWasm, type MemscopeWasm } from '../layers/wasm-module.ts';

/** One scan worker: its own Wasm instance, reading the image's File slices itself. */
export class ScanWorker {
  private wasm: MemscopeWasm | undefined;
  private scanner: { key: string; scanner: Scanner } | undefined;

  async init(module: WebAssembly.Module): Promise<void> {
    this.wasm = await instantiateMemscopeWasm(module);
  }

  /**
   * Scans one chunk of physical memory read straight from the file. Calls may overlap (a chunk of a scan that was
   * stopped still being read while the next scan's arrives): the scanner is taken once the bytes are here, and used
   * without a pause.
   */
  async scanChunk(blob: Blob, spec: ScanSpec, chunk: ScanChunk): Promise<ScanHit[]> {
    const parts = await Promise.all(chunk.pieces.map((p) => blob.slice(p.fileOffset, p.fileOffset + p.length).arrayBuffer()));
    const scanner = this.scannerFor(spec, chunk.length);
    const input = scanner.inputView(chunk.readLength);
    input.fill(0);
    let at = 0;
    for (let i = 0; i < parts.length; i++) {
      input.set(new Uint8Array(parts[i]!), at);
      at += chunk.pieces[i]!.length;
    }
    return scanner.scanChunk(input, chunk.address, chunk.length);
  }

  private scannerFor(spec: ScanSpec, chunkLength: number): Scanner {
    if (!this.wasm) throw new Error('scan worker not initialised');
    const key = JSON.stringify(spec, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
    if (this.scanner?.key !== key || this.scanner.scanner.chunkCapacity < chunkLength) {
      this.scanner?.scanner.dispose();
      this.scanner = { key, scanner: createScanner(this.wasm, spec, { chunkCapacity: Math.max(chunkLength, 1) }) };
    }
    return this.scanner.scanner;
  }
}

Comlink.expose(new ScanWorker());
