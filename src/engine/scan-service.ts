import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';

export type { ScanHit, ScanSpec };

export interface ScanControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs physical scans over the captured memory of a layer: in the browser a pool of Web Workers,
 * each with its own Wasm instance reading File slices directly; in Node the same scanner in-process.
 * Hits stream in address order, a chunk's as soon as it and every chunk before it are scanned; stopping
 * the iteration stops the scan. A cancelled scan throws CANCELLED.
 */
export interface ScanService {
  scan(layer: PhysicalLayer, spec: ScanSpec, control?: ScanControl): AsyncIterable<ScanHit>;
}
