/**
 * A pool's workers by slot, each replaceable by a fresh one: YARA-X's Wasm build keeps no time, so a worker stuck in a
 * rule too slow for the data is stopped from outside (terminated) and its slot given a new worker; and it keeps every
 * scan's Wasm instance, so a worker that has scanned its share is retired for a fresh one once its calls have settled.
 */
export class WorkerSlots<W> {
  private readonly workers: W[];
  /** Calls running in use(), per worker. */
  private readonly busy = new Map<W, number>();
  /** Retired workers still busy: destroyed when their last call settles. */
  private readonly retiring = new Set<W>();

  constructor(
    size: number,
    private readonly create: () => W,
    private readonly destroy: (worker: W) => void,
  ) {
    this.workers = Array.from({ length: size }, () => create());
  }

  get size(): number {
    return this.workers.length;
  }

  at(slot: number): W {
    return this.workers[slot]!;
  }

  /** The slots' numbers, 0 to size − 1. */
  get slots(): number[] {
    return this.workers.map((_, slot) => slot);
  }

  /** The workers now in the slots. */
  get all(): readonly W[] {
    return [...this.workers];
  }

  /** `call` on the slot's worker, which retire() leaves running until it settles. */
  async use<T>(slot: number, call: (worker: W) => Promise<T>): Promise<T> {
    const worker = this.at(slot);
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
    try {
      return await call(worker);
    } finally {
      const left = this.busy.get(worker)! - 1;
      if (left > 0) this.busy.set(worker, left);
      else {
        this.busy.delete(worker);
        if (this.retiring.delete(worker)) this.destroy(worker);
      }
    }
  }

  /** Stops `stale` now (its calls fail) and gives its slot, if it still holds it (two callers may see it stuck), a new worker. */
  replace(slot: number, stale: W): void {
    if (this.retiring.delete(stale)) this.destroy(stale);
    if (this.workers[slot] !== stale) return;
    this.destroy(stale);
    this.workers[slot] = this.create();
  }

  /** Gives `slot` a new worker for the calls from now on; `stale` is stopped once its calls in use() have settled. */
  retire(slot: number, stale: W): void {
    if (this.workers[slot] !== stale) return;
    this.workers[slot] = this.create();
    if (this.busy.has(stale)) this.retiring.add(stale);
    else this.destroy(stale);
  }
}

/** How often a call whose worker was replaced under it (another call on it ran out of time) is tried again. */
const RETRIES = 2;

/** A call on a worker in two steps: one that takes what it takes (starting up), then the one timed. */
export interface TimedCall<W, T> {
  prepare(worker: W): Promise<void>;
  scan(worker: W): Promise<T>;
}

/**
 * `call` on the slot's worker, or 'timeout' when its scan has not settled within `timeoutMs`: that worker is replaced
 * (its other calls fail, and are tried again on the new one).
 */
export async function withinTime<W, T>(slots: WorkerSlots<W>, slot: number, timeoutMs: number, call: TimedCall<W, T>): Promise<T | 'timeout'> {
  for (let attempt = 0; ; attempt++) {
    const worker = slots.at(slot);
    let onTimeout = () => {};
    let timer: AbortSignal | undefined;
    try {
      return await slots.use(slot, async (worker) => {
        await call.prepare(worker);
        timer = AbortSignal.timeout(timeoutMs);
        const expired = new Promise<'timeout'>((resolve) => timer!.addEventListener('abort', (onTimeout = () => resolve('timeout'))));
        const outcome = await Promise.race([call.scan(worker), expired]);
        if (outcome === 'timeout') slots.replace(slot, worker);
        return outcome;
      });
    } catch (e) {
      if (slots.at(slot) === worker || attempt >= RETRIES) throw e;
    } finally {
      timer?.removeEventListener('abort', onTimeout);
    }
  }
}
