/** A physical-memory scan request: which patterns, how they are aligned. */
export interface ScanSpec {
  /** Patterns as bytes; for 'aligned' mode each is exactly 4 bytes (a pool tag). */
  readonly patterns: readonly Uint8Array[];
  /** 'aligned': only positions p with p % alignment == offset (pool tags); 'any': every position. */
  readonly mode: 'aligned' | 'any';
  readonly alignment?: number;
  readonly offset?: number;
}

/** A range of the image file holding physical memory verbatim (from PhysicalLayer.runs). */
export interface ScanRange {
  readonly fileOffset: number;
  readonly length: number;
  readonly physicalStart: number;
}

export interface ScanHit {
  readonly pattern: number;
  readonly physicalAddress: number;
}

/**
 * Runs physical scans: in the browser a pool of Web Workers, each with its own Wasm instance reading
 * File slices directly; in Node the same code in-process (or worker_threads).
 */
export interface ScanService {
  scan(
    spec: ScanSpec,
    ranges: readonly ScanRange[],
    opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<ScanHit[]>;
}
