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
 * How many YARA scans a worker makes before it is retired for a fresh one: YARA-X 1.20's Wasm build keeps every scan's
 * Wasm instance and memory alive for the life of its thread (about 70 KiB each, and the address space of a Wasm memory),
 * which ends a Node thread near 13,000 scans and a Chromium tab, whose workers share room for about 120 Wasm memories,
 * near 120 in all.
 */
export interface YaraPool<W> {
  readonly slots: WorkerSlots<W>;
  readonly scansPerWorker: number;
}

/**
 * ChunkFanOut lanes for YARA: two per worker slot (each reads its next chunk while it scans one), each chunk's matches
 * as that chunk's one result, or that it ran out of time (its worker is then replaced).
 */
export function yaraLanes<W extends object>(
  pool: YaraPool<W>,
  request: YaraRequest,
  calls: (chunk: ScanChunk) => YaraWorkerCalls<W>,
): ((chunk: ScanChunk) => Promise<YaraChunkMatches[]>)[] {
  return [...pool.slots.slots, ...pool.slots.slots].map((slot) => async (chunk: ScanChunk): Promise<YaraChunkMatches[]> => [
    { address: chunk.address, length: chunk.length, ...(await yaraWithinTime(pool, slot, request, calls(chunk))) },
  ]);
}

/**
 * One YARA call on a slot's worker: the rules compiled there first, then the scan within the request's time limit (a
 * worker starting, loading YARA-X and compiling is not what the limit is about). A worker that has made its share of
 * scans is retired, its successor compiling the rules at once; one whose YARA-X failed for want of room is replaced,
 * and the call made again there.
 */
export async function yaraWithinTime<W extends object>(
  pool: YaraPool<W>,
  slot: number,
  request: YaraRequest,
  calls: YaraWorkerCalls<W>,
): Promise<YaraChunkOutcome> {
  const { slots, scansPerWorker } = pool;
  const prepare = (worker: W): Promise<void> => {
    // A worker asked once has the rules: a per-process scan's thousands of calls skip the round trip.
    const asked = prepared.get(worker);
    if (asked?.rules === request.rules) return asked.ready;
    const ready = calls.prepare(worker);
    const entry = { rules: request.rules, ready };
    prepared.set(worker, entry);
    ready.catch(() => prepared.get(worker) === entry && prepared.delete(worker));
    return ready;
  };
  const scan = async (worker: W) => {
    try {
      return await calls.scan(worker);
    } catch (e) {
      if (e instanceof Error && /\bunreachable\b/.test(e.message)) slots.replace(slot, worker);
      throw e;
    } finally {
      const made = (scans.get(worker) ?? 0) + 1;
      scans.set(worker, made);
      if (made === scansPerWorker) {
        slots.retire(slot, worker);
        prepare(slots.at(slot)).catch(() => undefined); // the call that needs it awaits it again
      }
    }
  };
  const matches = await withinTime(slots, slot, request.timeoutMs, { prepare, scan });
  return matches === 'timeout' ? { timedOut: true } : { matches };
}

/** The rules each worker was last asked to compile (it keeps a few: yara-rules-cache.ts), and when it has. */
const prepared = new WeakMap<object, { readonly rules: string; readonly ready: Promise<void> }>();
/** The scans each worker has made. */
const scans = new WeakMap<object, number>();
