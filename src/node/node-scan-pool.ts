import { availableParallelism } from 'node:os';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from '../engine/scan-service.ts';
import { CachedSource } from '../io/block-cache.ts';
import { isDirectMapped, type PhysicalLayer } from '../layers/physical-layer.ts';
import type { YaraChunkMatches, YaraChunkOutcome, YaraRequest } from '../plugins/api/memory.ts';
import { ChunkFanOut } from '../scan/chunk-fanout.ts';
import { planChunks, SCAN_CHUNK_BYTES, type ScanChunk } from '../scan/chunk-plan.ts';
import { scanOverlap } from '../scan/scanner.ts';
import { yaraChunkPlan, yaraLanes, yaraWithinTime, type YaraPool } from '../scan/yara-lanes.ts';
import { WorkerSlots } from '../scan/worker-slots.ts';
import { NodeFileSource } from './node-file-source.ts';
import { ScanThread } from './scan-thread.ts';
import { siblingWorker } from './worker-entry.ts';

/** Threads at most by default: past a few, the file system's reads are the limit. */
const MAX_DEFAULT_THREADS = 4;
/** YARA scans a thread makes before a fresh one takes its place (yara-lanes.ts: YaraPool): about 35 MiB kept by YARA-X. */
const YARA_SCANS_PER_THREAD = 500;
/** Overrides the thread count: 0 scans on the calling thread (InlineScanService). */
export const SCAN_WORKERS_ENV = 'MEMSCOPE_SCAN_WORKERS';

/**
 * The pool's size: $MEMSCOPE_SCAN_WORKERS when it is a count, else the cores available up to 4 — none with one core,
 * where a thread would only add its start-up to the same work.
 */
export function scanWorkerCount(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const asked = env[SCAN_WORKERS_ENV];
  if (asked !== undefined && /^\d+$/.test(asked.trim())) return Math.min(64, Number(asked));
  return cores < 2 ? 0 : Math.min(MAX_DEFAULT_THREADS, cores);
}

/**
 * The CLI's physical scans on every core: worker threads, each with its own Wasm instance, read their chunks from the
 * image file themselves (no image bytes pass through this thread) and scan them; the chunk plan, the hand-out and the
 * in-order delivery are the browser's scan workers' (ChunkFanOut); yarascan's chunks are scanned there too, each
 * thread compiling the rules once. Threads start on the first scan and keep the process alive only while they work.
 * Layers that are not a file's direct-mapped runs (memory, AFF4) are scanned inline.
 */
export class NodeScanPool implements ScanService {
  private threads: WorkerSlots<ScanThread> | undefined;
  private inline: InlineScanService | undefined;
  private readonly fanOut = new ChunkFanOut();

  constructor(
    private readonly wasm: Uint8Array<ArrayBuffer>,
    readonly size = scanWorkerCount(),
    private readonly yaraScansPerThread = YARA_SCANS_PER_THREAD,
  ) {}

  async *scan(layer: PhysicalLayer, spec: ScanSpec, control: ScanControl = {}): AsyncGenerator<ScanHit> {
    const path = this.size > 0 ? filePath(layer) : undefined;
    if (path === undefined) {
      yield* (this.inline ??= new InlineScanService(this.wasm)).scan(layer, spec, control);
      return;
    }
    const threads = this.live();
    const chunks = planChunks(layer.runs, SCAN_CHUNK_BYTES, scanOverlap(spec));
    // Two lanes per thread: it reads its next chunk while it scans one.
    const lanes = [...threads.slots, ...threads.slots].map((slot) => (chunk: ScanChunk) => threads.use(slot, (t) => t.scan(path, spec, chunk)));
    yield* this.fanOut.run(chunks, lanes, layer.source.name, control);
  }

  /** YARA over the file's chunks (yarascan's chunk plan), the threads each compiling the rules once; inline: undefined. */
  scanYara(layer: PhysicalLayer, request: YaraRequest, control: ScanControl = {}): AsyncIterable<YaraChunkMatches> | undefined {
    const path = this.size > 0 ? filePath(layer) : undefined;
    if (path === undefined) return undefined;
    const lanes = yaraLanes(this.yaraPool(), request, (chunk) => ({
      prepare: (thread) => thread.yaraPrepare(request.rules),
      scan: (thread) => thread.yara(path, request.rules, chunk),
    }));
    return this.fanOut.run(yaraChunkPlan(layer.runs), lanes, layer.source.name, control);
  }

  /** YARA over bytes a plugin read, on the first thread (the calls come one at a time; each call's bytes copied over); without threads: undefined. */
  yaraOnWorker(request: YaraRequest): ((bytes: Uint8Array, length: number) => Promise<YaraChunkOutcome>) | undefined {
    if (this.size === 0) return undefined;
    return (bytes, length) =>
      yaraWithinTime(this.yaraPool(), 0, request, {
        prepare: (thread) => thread.yaraPrepare(request.rules),
        scan: (thread) => thread.yaraBytes(request.rules, bytes.slice(), length),
      });
  }

  /** Stops the threads; scans running now end with CANCELLED. The next scan starts new ones. */
  async terminate(): Promise<void> {
    this.fanOut.endAll('the scan pool was closed');
    await this.stop();
  }

  private yaraPool(): YaraPool<ScanThread> {
    return { slots: this.live(), scansPerWorker: this.yaraScansPerThread };
  }

  /** The threads, started on first use, and again after one died (its scans failed with it). */
  private live(): WorkerSlots<ScanThread> {
    if (this.threads?.all.some((t) => t.failed)) void this.stop();
    return (this.threads ??= this.start());
  }

  private start(): WorkerSlots<ScanThread> {
    const module = new WebAssembly.Module(this.wasm);
    const entry = siblingWorker('scan-pool.worker', import.meta.url);
    return new WorkerSlots(
      this.size,
      () => new ScanThread(entry, { module }),
      (thread) => void thread.terminate(),
    );
  }

  private async stop(): Promise<void> {
    const threads = this.threads?.all ?? [];
    this.threads = undefined;
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/** The image file's path when the layer's runs are ranges of it, read in place. */
function filePath(layer: PhysicalLayer): string | undefined {
  const source = layer.source instanceof CachedSource ? layer.source.inner : layer.source;
  return isDirectMapped(layer) && source instanceof NodeFileSource ? source.path : undefined;
}
