import * as Comlink from 'comlink';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from '../engine/scan-service.ts';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import { BlobSource } from '../io/blob-source.ts';
import { CachedSource } from '../io/block-cache.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import { ChunkFanOut } from '../scan/chunk-fanout.ts';
import type { YaraChunkMatches } from '../plugins/api/memory.ts';
import { planChunks, SCAN_CHUNK_BYTES, type ScanChunk } from '../scan/chunk-plan.ts';
import { scanOverlap } from '../scan/scanner.ts';
import { yaraChunkPlan, yaraLanes } from '../scan/yara-lanes.ts';
import type { ScanWorker } from './scan.worker.ts';

/**
 * Fans a physical scan out to a pool of scan workers; each reads its chunks from the File itself, so
 * image bytes never pass through this thread. Chunks are handed out one at a time (the fastest worker
 * takes the next) and their hits passed on in address order (ChunkFanOut, shared with the CLI's pool).
 * A cancel, or the image closing, ends the scan at once: chunks still in a worker are dropped.
 */
export class WorkerScanService implements ScanService {
  private workers: Promise<Comlink.Remote<ScanWorker>[]> | undefined;
  private readonly raw: Worker[] = [];
  private inline: InlineScanService | undefined;
  private readonly fanOut = new ChunkFanOut();

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly workerUrl: URL,
    private readonly count = Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 2)),
  ) {}

  async *scan(layer: PhysicalLayer, spec: ScanSpec, control: ScanControl = {}): AsyncGenerator<ScanHit> {
    // Scan workers read File slices at run file offsets; a layer whose bytes are compressed chunks (AFF4)
    // has none, and its chunk caches live here: scan it on this thread, through the layer.
    const blob = layerBlob(layer);
    if (!blob) {
      yield* (this.inline ??= new InlineScanService(this.module)).scan(layer, spec, control);
      return;
    }
    const workers = await (this.workers ??= this.start());
    const chunks = planChunks(layer.runs, SCAN_CHUNK_BYTES, scanOverlap(spec));
    const lanes = workers.map((worker) => (chunk: ScanChunk) => worker.scanChunk(blob, spec, chunk));
    yield* this.fanOut.run(chunks, lanes, layer.source.name, control);
  }

  /** YARA over the File's chunks (yarascan's chunk plan), each worker compiling the rules once; undefined where scan() goes inline. */
  scanYara(layer: PhysicalLayer, rules: string, control: ScanControl = {}): AsyncIterable<YaraChunkMatches> | undefined {
    const blob = layerBlob(layer);
    return blob && this.yaraChunks(blob, layer, rules, control);
  }

  private async *yaraChunks(blob: Blob, layer: PhysicalLayer, rules: string, control: ScanControl): AsyncGenerator<YaraChunkMatches> {
    const lanes = yaraLanes(await (this.workers ??= this.start()), (worker, chunk) => worker.yaraChunk(blob, rules, chunk));
    yield* this.fanOut.run(yaraChunkPlan(layer.runs), lanes, layer.source.name, control);
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
    this.fanOut.endAll('the image was closed');
    for (const w of this.raw) w.terminate();
    this.raw.length = 0;
    this.workers = undefined;
  }
}

/** The Blob whose slices are the layer's runs when they are a file's ranges read in place (the image, a stored ZIP member, an OPFS copy). */
function layerBlob(layer: PhysicalLayer): Blob | undefined {
  const source = layer.source instanceof CachedSource ? layer.source.inner : layer.source;
  return isDirectMapped(layer) && source instanceof BlobSource ? source.blob : undefined;
}
