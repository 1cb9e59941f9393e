import * as Comlink from 'comlink';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from '../engine/scan-service.ts';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import { BlobSource } from '../io/blob-source.ts';
import { CachedSource } from '../io/block-cache.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import { ChunkFanOut } from '../scan/chunk-fanout.ts';
import type { YaraChunkMatches, YaraChunkOutcome, YaraRequest } from '../plugins/api/memory.ts';
import { planChunks, SCAN_CHUNK_BYTES, type ScanChunk } from '../scan/chunk-plan.ts';
import { scanOverlap } from '../scan/scanner.ts';
import { yaraChunkPlan, yaraLanes, yaraWithinTime, type YaraPool } from '../scan/yara-lanes.ts';
import { WorkerSlots } from '../scan/worker-slots.ts';
import type { ScanWorker } from './scan.worker.ts';
import type { ScanFile } from './scan-file-reader.ts';
import { OpfsCopy } from '../browser/opfs-temp-storage.ts';

/** YARA scans a worker makes before a fresh one takes its place (yara-lanes.ts: YaraPool): up to 4 workers, 20 each, leave the tab room. */
const YARA_SCANS_PER_WORKER = 20;

/**
 * Fans a physical scan out to a pool of scan workers; each reads its chunks from the File (or the image's OPFS copy) itself, so
 * image bytes never pass through this thread. Chunks are handed out one at a time (the fastest worker
 * takes the next) and their hits passed on in address order (ChunkFanOut, shared with the CLI's pool).
 * A cancel, or the image closing, ends the scan at once: chunks still in a worker are dropped.
 */
export class WorkerScanService implements ScanService {
  private workers: WorkerSlots<ScanWorkerHandle> | undefined;
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
    const file = layerFile(layer);
    if (!file) {
      yield* (this.inline ??= new InlineScanService(this.module)).scan(layer, spec, control);
      return;
    }
    const workers = this.pool();
    const chunks = planChunks(layer.runs, SCAN_CHUNK_BYTES, scanOverlap(spec));
    const lanes = workers.slots.map((slot) => (chunk: ScanChunk) => workers.use(slot, async (w) => (await w.remote).scanChunk(file, spec, chunk)));
    yield* this.fanOut.run(chunks, lanes, layer.source.name, control);
  }

  /** YARA over the File's chunks (yarascan's chunk plan), each worker compiling the rules once; undefined where scan() goes inline. */
  scanYara(layer: PhysicalLayer, request: YaraRequest, control: ScanControl = {}): AsyncIterable<YaraChunkMatches> | undefined {
    const file = layerFile(layer);
    if (!file) return undefined;
    const lanes = yaraLanes(this.yaraPool(), request, (chunk) => ({
      prepare: async (worker) => (await worker.remote).yaraPrepare(request.rules),
      scan: async (worker) => (await worker.remote).yaraChunk(file, request.rules, chunk),
    }));
    return this.fanOut.run(yaraChunkPlan(layer.runs), lanes, layer.source.name, control);
  }

  /** YARA over bytes a plugin read, on the first worker (the calls come one at a time; each call's bytes copied over). */
  yaraOnWorker(request: YaraRequest): (bytes: Uint8Array, length: number) => Promise<YaraChunkOutcome> {
    return (bytes, length) =>
      yaraWithinTime(this.yaraPool(), 0, request, {
        prepare: async (worker) => (await worker.remote).yaraPrepare(request.rules),
        scan: async (worker) => {
          const copy = bytes.slice();
          return (await worker.remote).yaraBytes(request.rules, Comlink.transfer(copy, [copy.buffer]), length);
        },
      });
  }

  private yaraPool(): YaraPool<ScanWorkerHandle> {
    return { slots: this.pool(), scansPerWorker: YARA_SCANS_PER_WORKER };
  }

  private pool(): WorkerSlots<ScanWorkerHandle> {
    return (this.workers ??= new WorkerSlots(
      this.count,
      () => this.startWorker(),
      (w) => w.raw.terminate(),
    ));
  }

  private startWorker(): ScanWorkerHandle {
    const raw = new Worker(this.workerUrl, { type: 'module', name: 'memscope-scan' });
    const remote = Comlink.wrap<ScanWorker>(raw);
    const ready = remote.init(this.module).then(() => remote);
    ready.catch(() => undefined); // awaited by each call (which fails with it), maybe by none
    return { raw, remote: ready };
  }

  /** Stops the workers; scans running now end with CANCELLED (a terminated worker never answers). */
  terminate(): void {
    this.fanOut.endAll('the image was closed');
    for (const w of this.workers?.all ?? []) w.raw.terminate();
    this.workers = undefined;
  }
}

/** A scan worker, and its API once it has instantiated memscope's Wasm. */
interface ScanWorkerHandle {
  readonly raw: Worker;
  readonly remote: Promise<Comlink.Remote<ScanWorker>>;
}

/**
 * What scan workers read the layer's runs from when they are a file's ranges read in place: an OPFS copy's file, which
 * each worker opens a read-only handle on, or the Blob whose slices they are (the image, a stored ZIP member).
 */
function layerFile(layer: PhysicalLayer): ScanFile | undefined {
  const source = layer.source instanceof CachedSource ? layer.source.inner : layer.source;
  if (!isDirectMapped(layer) || !(source instanceof BlobSource)) return undefined;
  return (source instanceof OpfsCopy && source.sharedHandle) || source.blob;
}
