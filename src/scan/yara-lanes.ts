import type { PhysicalRun } from '../layers/physical-layer.ts';
import type { YaraChunkMatch, YaraChunkMatches, YaraChunkOutcome, YaraRequest } from '../plugins/api/memory.ts';
import { YARA_CHUNK, YARA_OVERLAP } from '../plugins/common/yara-scan.ts';
import { planChunks, type ScanChunk } from './chunk-plan.ts';
import { withinTime, type WorkerSlots } from './worker-slots.ts';

/** yarascan's chunks of a layer's runs (YARA_CHUNK, read YARA_OVERLAP past each end), as scan workers get them. */
export function yaraChunkPlan(runs: readonly PhysicalRun[]): ScanChunk[] {
  return planChunks(runs, YARA_CHUNK, YARA_OVERLAP);
}

/** What YARA lanes ask of a worker: compile the rules (untimed: it may be starting), then scan within the time limit. */
export interface YaraWorkerCalls<W> {
  prepare(worker: W): Promise<void>;
  scan(worker: W): Promise<YaraChunkMatch[]>;
}

/**
 * ChunkFanOut lanes for YARA: two per worker slot (each reads its next chunk while it scans one), each chunk's matches
 * as that chunk's one result, or that it ran out of time (its worker is then replaced).
 */
export function yaraLanes<W extends object>(
  slots: WorkerSlots<W>,
  request: YaraRequest,
  calls: (chunk: ScanChunk) => YaraWorkerCalls<W>,
): ((chunk: ScanChunk) => Promise<YaraChunkMatches[]>)[] {
  return [...slots.slots, ...slots.slots].map((slot) => async (chunk: ScanChunk): Promise<YaraChunkMatches[]> => [
    { address: chunk.address, length: chunk.length, ...(await yaraWithinTime(slots, slot, request, calls(chunk))) },
  ]);
}

/**
 * One YARA call on a slot's worker: the rules compiled there first, then the scan within the request's time limit (a
 * worker starting, loading YARA-X and compiling is not what the limit is about).
 */
export async function yaraWithinTime<W extends object>(
  slots: WorkerSlots<W>,
  slot: number,
  request: YaraRequest,
  calls: YaraWorkerCalls<W>,
): Promise<YaraChunkOutcome> {
  const prepare = async (worker: W) => {
    // A worker asked once has the rules: a per-process scan's thousands of calls skip the round trip.
    if (prepared.get(worker) === request.rules) return;
    await calls.prepare(worker);
    prepared.set(worker, request.rules);
  };
  const matches = await withinTime(slots, slot, request.timeoutMs, { prepare, scan: calls.scan });
  return matches === 'timeout' ? { timedOut: true } : { matches };
}

/** The rules each worker was last asked to compile (it keeps a few: yara-rules-cache.ts). */
const prepared = new WeakMap<object, string>();
