import type { PhysicalRun } from '../layers/physical-layer.ts';
import type { YaraChunkMatch, YaraChunkMatches } from '../plugins/api/memory.ts';
import { YARA_CHUNK, YARA_OVERLAP } from '../plugins/common/yara-scan.ts';
import { planChunks, type ScanChunk } from './chunk-plan.ts';

/** yarascan's chunks of a layer's runs (YARA_CHUNK, read YARA_OVERLAP past each end), as scan workers get them. */
export function yaraChunkPlan(runs: readonly PhysicalRun[]): ScanChunk[] {
  return planChunks(runs, YARA_CHUNK, YARA_OVERLAP);
}

/**
 * ChunkFanOut lanes for YARA: two per worker (each reads its next chunk while it scans one), each chunk's matches as
 * that chunk's one result.
 */
export function yaraLanes<W>(workers: readonly W[], scan: (worker: W, chunk: ScanChunk) => Promise<YaraChunkMatch[]>) {
  return [...workers, ...workers].map((worker) => async (chunk: ScanChunk): Promise<YaraChunkMatches[]> => [
    { address: chunk.address, length: chunk.length, matches: await scan(worker, chunk) },
  ]);
}
