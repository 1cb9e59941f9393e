import type { ByteSource } from '../io/byte-source.ts';

/** A range of physical memory stored verbatim at `fileOffset` in the container. */
export interface PhysicalRun {
  readonly start: number;
  readonly length: number;
  readonly fileOffset: number;
}

/** An ELF/crash-dump note kept for the OS layers (VMCOREINFO, QEMU CPU state, ...). */
export interface ContainerNote {
  readonly name: string;
  readonly type: number;
  readonly desc: Uint8Array;
}

/**
 * Physical memory as the container describes it. Reads inside holes return zeros (a hole is
 * memory the capture did not contain, not an error). Physical addresses are numbers (< 2^53).
 */
export interface PhysicalLayer {
  /** Container format id: 'raw', 'elf', 'lime', ... */
  readonly format: string;
  readonly source: ByteSource;
  /** Sorted, non-overlapping runs. For direct-mapped formats scans read the file at these offsets. */
  readonly runs: readonly PhysicalRun[];
  /** Highest physical address + 1. */
  readonly size: number;
  /** Sum of run lengths: the memory actually captured. */
  readonly capturedBytes: number;
  readonly notes: readonly ContainerNote[];
  /** Non-fatal problems found while opening (e.g. a truncated last run). */
  readonly warnings: readonly string[];
  read(address: number, length: number): Promise<Uint8Array>;
}
