import { wrap } from 'comlink';
import type { EngineApi } from '../engine/engine-api.ts';
import type { RawExportApi } from './raw-export-api.ts';

/** Starts the engine worker (a bundle next to this one) and returns its API. */
export function createEngineClient(): EngineApi & RawExportApi {
  const worker = new Worker(new URL('./engine.worker.js', import.meta.url), { type: 'module', name: 'memscope-engine' });
  return wrap<EngineApi & RawExportApi>(worker);
}
