import type { ByteSource } from '../io/byte-source.ts';
import type { DamagedPages } from './damaged-pages.ts';

/**
 * A range of captured physical memory. In a direct-mapped layer its bytes are stored verbatim at `fileOffset`
 * in the container; in one that is not (compressed containers such as AFF4) `fileOffset` is -1.
 */
/** Physical addresses start .. start + length. */
export interface AddressRange {
  readonly start: number;
  readonly length: number;
}

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
 * What a container's own header records about the OS inside (a Windows crash dump's DUMP_HEADER64), for
 * OS discovery to try before searching. Unverified: discovery validates them like any other candidate.
 */
export interface OsHints {
  /** Kernel page-table root (CR3) at capture time, PCID bits cleared. */
  readonly dtb?: number;
  /** Kernel virtual addresses of globals inside ntoskrnl's image: its base lies below them. */
  readonly psActiveProcessHead?: bigint;
  readonly psLoadedModuleList?: bigint;
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
  /**
   * False when the runs' bytes are not a file range (compressed chunks): scans must then read through `read`.
   * Absent means true (raw, ELF, LiME, crash dumps).
   */
  readonly directMapped?: boolean;
  /** Highest physical address + 1. */
  readonly size: number;
  /** Sum of run lengths: the memory actually captured. */
  readonly capturedBytes: number;
  readonly notes: readonly ContainerNote[];
  /** Absent unless the container header says something about the OS (crash dumps). */
  readonly hints?: OsHints;
  /**
   * Ranges outside `runs` that read as something other than zeros: filler the container states instead of captured
   * bytes (AFF4's symbolic streams: 0xFF, "UNKNOWN"). Not captured memory, but part of what a raw export must write.
   */
  readonly patterned?: readonly AddressRange[];
  /** What the container says of itself beyond its format, as label and text (image.info lists them). */
  readonly details?: readonly (readonly [label: string, text: string])[];
  /** How the file the user gave packs the container, when it does: "gzip (decompressed to a temporary copy)". */
  readonly packaging?: string;
  /** Non-fatal problems found while opening (e.g. a truncated last run). */
  readonly warnings: readonly string[];
  /** Pages found damaged while reading (compressed containers): they read as zeros; absent where none can be. */
  readonly damaged?: DamagedPages;
  read(address: number, length: number): Promise<Uint8Array>;
  /** `read` into a buffer the caller keeps (reused across a scan); absent where the layer cannot read in place. */
  readInto?(address: number, target: Uint8Array): Promise<void>;
}

/** Whether scans may read a layer's runs straight from the file at their `fileOffset`. */
export function isDirectMapped(layer: PhysicalLayer): boolean {
  return layer.directMapped !== false;
}
