import { MemscopeError } from '../errors.ts';
import { InOrderResults } from './in-order.ts';

/** One way to get a chunk's results: a worker's scan of it. */
export type ChunkLane<C, T> = (chunk: C) => Promise<readonly T[]>;

export interface FanOutControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Fans chunks out to lanes (one per worker, or several to keep a worker busy while it waits for its file), whatever
 * the host's workers are: each lane takes the next chunk as soon as it has finished its last, so the fastest takes
 * most; each chunk's results are passed on in chunk order as soon as every chunk before it is done. A cancel ends the
 * scan at once with CANCELLED (chunks still in a worker are dropped), as does `endAll` (the image closing); stopping
 * the iteration stops handing chunks out.
 */
export class ChunkFanOut {
  /** How to end each scan running now, saying why. */
  private readonly running = new Set<(why: string) => void>();

  async *run<C extends { readonly length: number }, T>(
    chunks: readonly C[],
    lanes: readonly ChunkLane<C, T>[],
    subject: string,
    control: FanOutControl = {},
  ): AsyncGenerator<T> {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const results = new InOrderResults<readonly T[]>();
    const end = (why: string) => results.fail(new MemscopeError('CANCELLED', why, subject));
    const cancelled = () => end('physical scan cancelled');
    let next = 0;
    let done = 0;
    let stopped = false;
    this.running.add(end);
    control.signal?.addEventListener('abort', cancelled);
    try {
      if (control.signal?.aborted) cancelled();
      for (const lane of lanes) {
        void (async () => {
          while (!stopped && next < chunks.length) {
            const index = next++;
            const found = await lane(chunks[index]!);
            if (stopped) return;
            done += chunks[index]!.length;
            control.onProgress?.(done, total);
            results.put(index, found);
          }
        })().catch((e: unknown) => results.fail(e));
      }
      for (let index = 0; index < chunks.length; index++) yield* await results.take(index);
    } finally {
      stopped = true;
      control.signal?.removeEventListener('abort', cancelled);
      this.running.delete(end);
    }
  }

  /** Ends every scan running now with CANCELLED saying why (their workers are gone and will never answer). */
  endAll(why: string): void {
    for (const end of this.running) end(why);
  }
}
