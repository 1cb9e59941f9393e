import type { PhysicalRun } from '../../src/layers/physical-layer.ts';

/** A range of the input file worth mutating, and what lies there (a container header field, a page table, ...). */
export interface Target {
  readonly kind: string;
  readonly offset: number;
  readonly length: number;
}

/** A range of physical memory worth mutating, before it is placed in a container's file. */
export interface PhysicalTarget {
  readonly kind: string;
  readonly address: number;
  readonly length: number;
}

/** Physical targets placed in a direct-mapped container's file through its runs (parts outside them are dropped). */
export function placeInRuns(targets: readonly PhysicalTarget[], runs: readonly PhysicalRun[]): Target[] {
  const placed: Target[] = [];
  for (const t of targets) {
    for (const run of runs) {
      const from = Math.max(t.address, run.start);
      const to = Math.min(t.address + t.length, run.start + run.length);
      if (from < to) placed.push({ kind: t.kind, offset: run.fileOffset + (from - run.start), length: to - from });
    }
  }
  return placed;
}

/** The file ranges before each run's bytes that hold no memory: container headers (ELF headers and notes, LiME range headers). */
export function headersBetweenRuns(runs: readonly PhysicalRun[], kind = 'container-header'): Target[] {
  const sorted = [...runs].sort((a, b) => a.fileOffset - b.fileOffset);
  const out: Target[] = [];
  let at = 0;
  for (const run of sorted) {
    if (run.fileOffset > at) out.push({ kind, offset: at, length: run.fileOffset - at });
    at = Math.max(at, run.fileOffset + run.length);
  }
  return out;
}
