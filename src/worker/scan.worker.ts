import * as Comlink from 'comlink';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import { ChunkScanner } from '../scan/chunk-scanner.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';
import { instantiateMemscopeWasm } from '../layers/wasm-module.ts';

/** One scan worker: its own Wasm instance, reading the image's File slices itself. */
export class ScanWorker {
  private scanner: ChunkScanner | undefined;

  async init(module: WebAssembly.Module): Promise<void> {
    this.scanner = new ChunkScanner(await instantiateMemscopeWasm(module));
  }

  /** Scans one chunk of physical memory read straight from the file. */
  async scanChunk(blob: Blob, spec: ScanSpec, chunk: ScanChunk): Promise<ScanHit[]> {
    if (!this.scanner) throw new Error('scan worker not initialised');
    const parts = await Promise.all(chunk.pieces.map((p) => blob.slice(p.fileOffset, p.fileOffset + p.length).arrayBuffer()));
    return this.scanner.scan(
      spec,
      chunk,
      parts.map((p) => new Uint8Array(p)),
    );
  }
}

Comlink.expose(new ScanWorker());
