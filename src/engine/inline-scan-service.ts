import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { instantiateMemscopeWasm, type MemscopeWasm } from '../layers/wasm-module.ts';
import { scanPhysical } from '../scan/scan-physical.ts';
import type { ScanControl, ScanHit, ScanService, ScanSpec } from './scan-service.ts';

/** Scans on the calling thread with a Wasm instance of its own (Node CLI, tests, fallback without workers). */
export class InlineScanService implements ScanService {
  private wasm: Promise<MemscopeWasm> | undefined;

  constructor(private readonly wasmSource: Uint8Array | WebAssembly.Module) {}

  async *scan(layer: PhysicalLayer, spec: ScanSpec, control: ScanControl = {}): AsyncGenerator<ScanHit> {
    const wasm = await (this.wasm ??= instantiateMemscopeWasm(this.wasmSource as Uint8Array<ArrayBuffer> | WebAssembly.Module));
    yield* scanPhysical(layer, wasm, spec, { signal: control.signal, onProgress: control.onProgress });
  }
}
