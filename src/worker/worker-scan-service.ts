import * as Comlink from 'comlink';
import { MemscopeError } from '../errors.ts';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from '../engine/scan-service.ts';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import { planChunks } from '../scan/chunk-plan.ts';
import { scanOverlap } from '../scan/scanner.ts';
import type { ScanWorker } from './scan.worker.ts';

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Fans a physical scan out to a pool of scan workers; each reads its chunks from the File itself, so
 * image bytes never pass through this thread. Chunks are handed out one at a time (the fastest worker
 * takes the next), hits are merged in address order.
 */
export class WorkerScanService implements ScanService {
  private workers: Promise<Comlink.Remote<ScanWorker>[]> | undefined;
  private readonly raw: Worker[] = [];
  private inline: InlineScanService | undefined;

  constructor(
    private readonly blob: Blob,
    private readonly module: WebAssembly.Module,
    private readonly workerUrl: URL,
    private readonly count = Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 2)),
  ) {}

  async scan(layer: PhysicalLayer, spec: ScanSpec, control: ScanControl = {}): Promise<ScanHit[]> {
    // Scan workers read File slices at run file offsets; a layer whose bytes are compressed chunks (AFF4)
    // has none, and its chunk caches live here: scan it on this thread, through the layer.
    if (!isDirectMapped(layer)) return (this.inline ??= new InlineScanService(this.module)).scan(layer, spec, control);
    const workers = await (this.workers ??= this.start());
    const chunks = planChunks(layer.runs, CHUNK_BYTES, scanOverlap(spec));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let next = 0;
    let done = 0;
    const found: ScanHit[][] = new Array(chunks.length);
    await Promise.all(
      workers.map(async (worker) => {
        while (next < chunks.length) {
          if (control.signal?.aborted) throw new MemscopeError('CANCELLED', 'physical scan cancelled', layer.source.name);
          const index = next++;
          found[index] = await worker.scanChunk(this.blob, spec, chunks[index]!);
          done += chunks[index]!.length;
          control.onProgress?.(done, total);
        }
      }),
    );
    return found.flat();
  }

  private async start(): Promise<Comlink.Remote<ScanWorker>[]> {
    const remotes: Comlink.Remote<ScanWorker>[] = [];
    for (let i = 0; i < this.count; i++) {
      const worker = new Worker(this.workerUrl, { type: 'module', name: `memscope-scan-${i}` });
      this.raw.push(worker);
      const remote = Comlink.wrap<ScanWorker>(worker);
      await remote.init(this.module);
      remotes.push(remote);
    }
    return remotes;
  }

  terminate(): void {
    for (const w of this.raw) w.terminate();
    this.raw.length = 0;
    this.workers = undefined;
  }
}
