import { isMemscopeError, MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { DamagedPages } from './damaged-pages.ts';
import type { ContainerNote, PhysicalLayer, PhysicalRun } from './physical-layer.ts';
import { firstRunEndingAfter } from './run-mapped-layer.ts';

/** Physical addresses `start .. start + length` read out of a decoder (a compressed stream), not a file range. */
export interface StreamRun {
  readonly start: number;
  readonly length: number;
  /** Fills `target` with the run's bytes at `offset` into the run (offset + target.length ≤ length). */
  readInto(offset: number, target: Uint8Array): Promise<void>;
}

export interface StreamRunsLayerInit {
  readonly format: string;
  readonly source: ByteSource;
  /** Sorted by start, not overlapping (the format checks). */
  readonly runs: readonly StreamRun[];
  readonly warnings?: readonly string[];
  /** Highest physical address + 1 as the container states it, when its memory goes on past the last run. */
  readonly size?: number;
  readonly details?: PhysicalLayer['details'];
}

/**
 * Physical memory held as compressed streams (AVML's ranges, a framed Snappy/S2 image): not direct-mapped, so scans
 * read through `read`. Runs that follow one another are reported as one captured range.
 */
export class StreamRunsLayer implements PhysicalLayer {
  readonly format: string;
  readonly source: ByteSource;
  readonly directMapped = false;
  readonly runs: readonly PhysicalRun[];
  readonly size: number;
  readonly capturedBytes: number;
  readonly notes: readonly ContainerNote[] = [];
  readonly warnings: readonly string[];
  readonly details: PhysicalLayer['details'];
  private readonly streams: readonly StreamRun[];
  readonly damaged = new DamagedPages();

  constructor(init: StreamRunsLayerInit) {
    this.format = init.format;
    this.source = init.source;
    this.streams = init.runs.filter((r) => r.length > 0);
    this.warnings = init.warnings ?? [];
    this.details = init.details;
    const merged: PhysicalRun[] = [];
    for (const r of this.streams) {
      const last = merged.at(-1);
      if (last && last.start + last.length === r.start) merged[merged.length - 1] = { ...last, length: last.length + r.length };
      else merged.push({ start: r.start, length: r.length, fileOffset: -1 });
    }
    this.runs = merged;
    const last = this.streams.at(-1);
    this.size = Math.max(init.size ?? 0, last ? last.start + last.length : 0);
    this.capturedBytes = this.streams.reduce((n, r) => n + r.length, 0);
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(address + length)) {
      throw new MemscopeError('BAD_REQUEST', `invalid physical read of ${length} bytes at ${address}`, this.source.name);
    }
    const out = new Uint8Array(length);
    const end = address + length;
    for (let i = firstRunEndingAfter(this.streams, address); i < this.streams.length && this.streams[i]!.start < end; i++) {
      const run = this.streams[i]!;
      const from = Math.max(address, run.start);
      const to = Math.min(end, run.start + run.length);
      try {
        await run.readInto(from - run.start, out.subarray(from - address, to - address));
      } catch (e) {
        if (!isDamage(e)) throw e;
        await this.readPageByPage(run, from, to, out.subarray(from - address, to - address));
      }
    }
    return out;
  }

  /** [from, to) of `run` into `target` a page at a time: a page whose block does not decode stays zeros, noted in `damaged`. */
  private async readPageByPage(run: StreamRun, from: number, to: number, target: Uint8Array): Promise<void> {
    for (let at = from; at < to; at = Math.min(to, (Math.floor(at / PAGE) + 1) * PAGE)) {
      const next = Math.min(to, (Math.floor(at / PAGE) + 1) * PAGE);
      const piece = target.subarray(at - from, next - from);
      try {
        await run.readInto(at - run.start, piece);
      } catch (e) {
        if (!isDamage(e)) throw e;
        piece.fill(0);
        const page = at - (at % PAGE);
        // The message without the file's name: the warning is the image's.
        const why = e.subject && e.message.startsWith(`${e.subject}: `) ? e.message.slice(e.subject.length + 2) : e.message;
        this.damaged.note(page, `page at physical ${hex(page)}: ${why}`);
      }
    }
  }
}

const PAGE = 4096;

/** A block that does not decode, or is cut off by the end of the file: its pages read as zeros rather than failing the read. */
function isDamage(e: unknown): e is MemscopeError {
  return isMemscopeError(e) && (e.code === 'CORRUPT' || e.code === 'TRUNCATED');
}
