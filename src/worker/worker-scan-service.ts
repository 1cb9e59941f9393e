import * as Comlink from 'comlink';
import { MemscopeError } from '../errors.ts';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from '../engine/scan-service.ts';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import { planChunks } from '../scan/chunk-plan.ts';
import { InOrderResults } from '../scan/in-order.ts';
import { scanOverlap } from '../scan/scanner.ts';
import type { ScanWorker } from './scan.worker.ts';

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Fans a physical scan out to a pool of scan workers; each reads its chunks from the File itself, so
 * image bytes never pass through this thread. Chunks are handed out one at a time (the fastest worker
 * takes the next); each chunk's hits are passed on in address order as soon as every chunk before it is
 * done. A cancel, or the image closing, ends the scan at once: chunks still in a worker are dropped.
 */
export class WorkerScanService implements ScanService {
  private workers: Promise<Comlink.Remote<ScanWorker>[]> | undefined;
  private readonly raw: Worker[] = [];
  private inline: InlineScanService | undefined;
  /** How to end each scan running now, saying why (`terminate` ends them all). */
  private readonly running = new Set<(why: string) => void>();

  constructor(
    private readonly blob: Blob,
    private readonly module: WebAssembly.Module,
    private readonly workerUrl: URL,
    private readonly count = Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 2)),
  ) {}

  async *scan(layer: PhysicalLayer, spec: ScanSpec, control: ScanControl = {}): AsyncGenerator<ScanHit> {
    // Scan workers read File slices at run file offsets; a layer whose bytes are compressed chunks (AFF4)
    // has none, and its chunk caches live here: scan it on this thread, through the layer.
    if (!isDirectMapped(layer)) {
      yield* (this.inline ??= new InlineScanService(this.module)).scan(layer, spec, control);
      return;
    }
    const workers = await (this.workers ??= this.start());
    const chunks = planChunks(layer.runs, CHUNK_BYTES, scanOverlap(spec));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const results = new InOrderResults<ScanHit[]>();
    const end = (why: string) => results.fail(new MemscopeError('CANCELLED', why, layer.source.name));
    const cancelled = () => end('physical scan cancelled');
    let next = 0;
    let done = 0;
    let stopped = false;
    this.running.add(end);
    control.signal?.addEventListener('abort', cancelled);
    try {
      if (control.signal?.aborted) cancelled();
      for (const worker of workers) {
        void (async () => {
          while (!stopped && next < chunks.length) {
            const index = next++;
            const hits = await worker.scanChunk(this.blob, spec, chunks[index]!);
            if (stopped) return;
            done += chunks[index]!.length;
            control.onProgress?.(done, total);
            results.put(index, hits);
          }
        })().catch((e: unknown) => results.fail(e));
      }
      for (let index = 0; index < chunks.length; index++) yield* await results.take(index);
    } finally {
      stopped = true;
      control.signal?.removeEventListener('abort', cancelled);
      this.running.delete(end);
    }
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

  /** Stops the workers; scans running now end with CANCELLED (a terminated worker never answers). */
  terminate(): void {
    for (const end of this.running) end('the image was closed');
    for (const w of this.raw) w.terminate();
    this.raw.length = 0;
    this.workers = undefined;
  }
}
