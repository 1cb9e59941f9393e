import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { YaraChunkMatches, YaraChunkOutcome, YaraRequest } from '../plugins/api/memory.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';

export type { ScanHit, ScanSpec };

export interface ScanControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs physical scans over the captured memory of a layer: in the browser a pool of Web Workers,
 * each with its own Wasm instance reading File slices directly; in Node a pool of worker threads reading the image
 * file (src/node/node-scan-pool.ts); memory and compressed layers in-process.
 * Hits stream in address order, a chunk's as soon as it and every chunk before it are scanned; stopping
 * the iteration stops the scan. A cancelled scan throws CANCELLED.
 */
export interface ScanService {
  scan(layer: PhysicalLayer, spec: ScanSpec, control?: ScanControl): AsyncIterable<ScanHit>;
  /**
   * YARA rules (their text) over the layer's captured memory on the service's workers, for plugins as
   * PluginContext.physicalYara; undefined when it cannot scan this layer so (absent: never).
   */
  scanYara?(layer: PhysicalLayer, request: YaraRequest, control?: ScanControl): AsyncIterable<YaraChunkMatches> | undefined;
  /** YARA over bytes given, on the service's workers within the request's time limit, for plugins as PluginContext.yaraOnWorker. */
  yaraOnWorker?(request: YaraRequest): ((bytes: Uint8Array, length: number) => Promise<YaraChunkOutcome>) | undefined;
}
