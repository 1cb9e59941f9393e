import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import type { AddressRange, ContainerNote, OsHints, PhysicalLayer, PhysicalRun } from './physical-layer.ts';

export interface RunMappedLayerInit {
  readonly format: string;
  readonly source: ByteSource;
  /** In any order; overlaps are clipped (see `normalizeRuns`). Each must lie inside the source. */
  readonly runs: readonly PhysicalRun[];
  /** Highest physical address + 1 the container declares (e.g. ELF p_memsz past p_filesz); at least the end of the last run. */
  readonly size?: number;
  readonly notes?: readonly ContainerNote[];
  readonly hints?: OsHints;
  readonly warnings?: readonly string[];
  readonly details?: PhysicalLayer['details'];
}

/**
 * Sorts runs by physical address and clips overlaps: where ranges overlap, the one starting lower
 * wins and the later one is cut (or dropped when fully covered), with one counted warning. Real
 * containers do overlap benignly (a kexec vmcore maps kernel text twice); a hostile one gets the
 * same treatment instead of a refusal. Zero-length runs are dropped. Invalid numbers or a run
 * outside the source → CORRUPT.
 */
export function normalizeRuns(runs: readonly PhysicalRun[], source: ByteSource): { runs: PhysicalRun[]; warnings: string[] } {
  const nonEmpty = runs.filter((r) => r.length !== 0);
  for (const run of nonEmpty) {
    const numbersValid = [run.start, run.length, run.fileOffset].every((n) => Number.isSafeInteger(n) && n >= 0);
    if (!numbersValid || !Number.isSafeInteger(run.start + run.length) || run.fileOffset + run.length > source.size) {
      throw new MemscopeError(
        'CORRUPT',
        `invalid physical range ${hex(run.start)} (+${hex(run.length)}) at file offset ${hex(run.fileOffset)} in a file of ${source.size} bytes`,
        source.name,
      );
    }
  }
  const sorted = nonEmpty.sort((a, b) => a.start - b.start || b.length - a.length);
  const out: PhysicalRun[] = [];
  let covered = 0;
  let clipped = 0;
  for (const run of sorted) {
    const end = run.start + run.length;
    if (end <= covered) {
      clipped++;
    } else if (run.start < covered) {
      clipped++;
      const cut = covered - run.start;
      out.push({ start: covered, length: run.length - cut, fileOffset: run.fileOffset + cut });
    } else {
      out.push(run);
    }
    covered = Math.max(covered, end);
  }
  const warnings = clipped > 0 ? [`${clipped} overlapping physical range(s) clipped: where ranges overlap, the lower-starting one is used`] : [];
  return { runs: out, warnings };
}

/** Index of the first of `runs` (sorted, not overlapping) whose end lies above `address` (binary search). */
export function firstRunEndingAfter(runs: readonly AddressRange[], address: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const run = runs[mid]!;
    if (run.start + run.length <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Physical memory as sorted runs of a source; addresses outside every run read as zeros. */
export class RunMappedLayer implements PhysicalLayer {
  readonly format: string;
  readonly source: ByteSource;
  readonly directMapped = true;
  readonly runs: readonly PhysicalRun[];
  readonly size: number;
  readonly capturedBytes: number;
  readonly notes: readonly ContainerNote[];
  readonly hints: OsHints | undefined;
  readonly details: PhysicalLayer['details'];
  readonly warnings: readonly string[];

  constructor(init: RunMappedLayerInit) {
    const { runs, warnings } = normalizeRuns(init.runs, init.source);
    const last = runs[runs.length - 1];
    this.format = init.format;
    this.source = init.source;
    this.runs = runs;
    this.size = Math.max(init.size ?? 0, last ? last.start + last.length : 0);
    this.capturedBytes = runs.reduce((sum, r) => sum + r.length, 0);
    this.notes = init.notes ?? [];
    this.hints = init.hints;
    this.details = init.details;
    this.warnings = [...(init.warnings ?? []), ...warnings];
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new MemscopeError('BAD_REQUEST', `invalid physical read of ${length} bytes at ${address}`, this.source.name);
    }
    const out = new Uint8Array(length);
    await this.fill(address, out, false);
    return out;
  }

  async readInto(address: number, target: Uint8Array): Promise<void> {
    await this.fill(address, target, true);
  }

  /** Places the runs' bytes in `out` (holes stay as they are: zeros, once `clear` zeroes a reused buffer). */
  private async fill(address: number, out: Uint8Array, clear: boolean): Promise<void> {
    const length = out.length;
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(address + length)) {
      throw new MemscopeError('BAD_REQUEST', `invalid physical read of ${length} bytes at ${address}`, this.source.name);
    }
    if (clear) out.fill(0);
    const end = address + length;
    const pieces: Promise<void>[] = [];
    for (let i = firstRunEndingAfter(this.runs, address); i < this.runs.length && this.runs[i]!.start < end; i++) {
      const run = this.runs[i]!;
      const from = Math.max(address, run.start);
      const to = Math.min(end, run.start + run.length);
      pieces.push(this.readPiece(run.fileOffset + (from - run.start), out.subarray(from - address, to - address)));
    }
    await Promise.all(pieces);
  }

  /** The file's bytes at `fileOffset` into `target`, read in place where the source can. */
  private async readPiece(fileOffset: number, target: Uint8Array): Promise<void> {
    const length = target.length;
    let got: number;
    if (this.source.readInto) {
      got = await this.source.readInto(fileOffset, target);
    } else {
      const bytes = await this.source.read(fileOffset, length);
      target.set(bytes.subarray(0, length));
      got = bytes.length;
    }
    if (got < length) {
      const why = `file ended while reading ${length} bytes at file offset ${hex(fileOffset)} (it shrank after opening?)`;
      throw new MemscopeError('TRUNCATED', why, this.source.name);
    }
  }
}
