// Published (memscope/plugin): memory and kernel reads every OS's kernel context offers. Imports nothing.

/** A stretch of physical memory the capture holds. */
export interface CapturedRange {
  readonly start: number;
  readonly length: number;
}

/** The image's physical memory. Addresses are numbers (< 2^53). */
export interface PhysicalMemory {
  /** The container format's id ("raw", "elf", "lime", "crashdump", ...). */
  readonly format: string;
  /** How the file packs the container, when it does ("ZIP member memory.raw (stored, read in place)", "gzip (…)"). */
  readonly packaging?: string;
  /** Highest physical address + 1. */
  readonly size: number;
  /** Bytes of physical memory the capture holds. */
  readonly capturedBytes: number;
  /** What the capture holds, sorted and non-overlapping: what a scan of the image reads. */
  readonly runs: readonly CapturedRange[];
  /** What the container says of itself beyond its format, as label and text (a VMware pair's state and memory files). */
  readonly details?: readonly (readonly [label: string, text: string])[];
  /** `length` bytes at `address`; memory the capture does not hold reads as zeros. */
  read(address: number, length: number): Promise<Uint8Array>;
  /**
   * Fills `target` with the bytes at `address`, as `read` gives them, where the container allows it without a copy
   * (raw, ELF, LiME): a long scan reusing one buffer spares allocating one per read. Absent elsewhere: use `read`.
   */
  readInto?(address: number, target: Uint8Array): Promise<void>;
}

/** One YARA match in a chunk scanned by the host (PluginContext.physicalYara): its offset in the chunk, the bytes it matched. */
export interface YaraChunkMatch {
  readonly offset: number;
  readonly rule: string;
  /** The pattern's identifier, `$a`. */
  readonly pattern: string;
  readonly value: Uint8Array;
  /** The pattern reached the engine's match limit in this chunk (later matches of it were dropped). */
  readonly capped: boolean;
}

/** YARA rules (their text) to run on the host's workers, and how long YARA-X may take over one chunk. */
export interface YaraRequest {
  readonly rules: string;
  /** Past this, the worker scanning a chunk is stopped and the scan ends there (YARA-X's Wasm build keeps no time itself). */
  readonly timeoutMs: number;
}

/** A chunk's matches (by offset), or that YARA-X ran past the request's time limit on it. */
export type YaraChunkOutcome = { readonly matches: readonly YaraChunkMatch[] } | { readonly timedOut: true };

/** A chunk of physical memory the host scanned with YARA rules, and what it found there. */
export type YaraChunkMatches = YaraChunkOutcome & {
  readonly address: number;
  readonly length: number;
};

/** A virtual address space: the kernel's (kernel.vm) or a process's (kernel.processSpace). */
export interface VirtualMemory {
  /** `length` bytes at `address`; null when any of them is not mapped or not captured. */
  read(address: bigint, length: number): Promise<Uint8Array | null>;
  /** The little-endian 32-bit value at `address`; null when not mapped or not captured. */
  readU32(address: bigint): Promise<number | null>;
  /** The little-endian 64-bit value at `address`; null when not mapped or not captured. */
  readU64(address: bigint): Promise<bigint | null>;
  /** The physical address `address` maps to; null when it is not mapped. */
  translate(address: bigint): Promise<number | null>;
  /**
   * What the page tables map in [start, end), in address order: a large page as one run, 4 KiB pages joined while
   * virtually and physically contiguous; non-canonical addresses skipped.
   */
  mappedRuns(start: bigint, end: bigint, opts?: { readonly signal?: { readonly aborted: boolean } }): AsyncIterable<MappedRun>;
}

/** A stretch of virtual memory mapped to contiguous physical memory. */
export interface MappedRun {
  readonly vaddr: bigint;
  readonly paddr: number;
  readonly length: number;
}

/**
 * One structure instance as read from memory, its fields by path ("Pcb.DirectoryTableBase", "name.nodename") as
 * the symbol table lays them out. A path the table lacks throws SYMBOLS_INVALID: test optional fields with `has`.
 */
export interface StructReader {
  /** The structure's type name ("_EPROCESS", "task_struct"). */
  readonly struct: string;
  /** Where it was read from. */
  readonly address: bigint;
  /** Its bytes, the structure's size. */
  readonly bytes: Uint8Array;
  /** Whether the symbol table has this field. */
  has(path: string): boolean;
  /** The field's byte offset in the structure. */
  offsetOf(path: string): number;
  /** The field's address (for list heads: the address a forward link points back to). */
  addressOf(path: string): bigint;
  u8(path: string): number;
  u16(path: string): number;
  u32(path: string): number;
  u64(path: string): bigint;
  /** An integer or bitfield member of up to 32 bits, whatever its declared width. */
  int(path: string): number;
  /** The field's raw bytes (character arrays, embedded structures). */
  raw(path: string): Uint8Array;
  /** A character array field's text up to its first NUL (UTF-8, invalid bytes replaced). */
  text(path: string): string;
}

/** How far a list walk goes and what it says when it stops early. */
export interface ListWalkOptions {
  /** Names the list in warnings ("task list (init_task.tasks)"). */
  readonly what: string;
  /** Most entries walked (default 2^20); a longer list ends with a LIMIT warning. */
  readonly limit?: number;
}

/**
 * The image's kernel as ctx.windows() / ctx.linux() give it to one run: its symbols and types, typed reads of any
 * address space (the kernel's unless `space` is given), and bounded list walks. Warnings it raises belong to the run.
 */
export interface KernelContext {
  /** The kernel's virtual address space. */
  readonly vm: VirtualMemory;
  /** Names the symbol table in use (a file, a PDB key, "the kernel's BTF and kallsyms"). */
  readonly symbolTableName: string;
  /** Virtual address of a kernel symbol in this boot; throws SYMBOLS_INVALID when the symbol table lacks it. */
  symbolAddress(name: string): bigint;
  hasSymbol(name: string): boolean;
  /** Whether the symbol table describes this structure (or type). */
  hasStruct(name: string): boolean;
  /** A structure's size in bytes; throws SYMBOLS_INVALID when the table lacks it. */
  structSize(name: string): number;
  /** A field's offset in its structure (`path` may be dotted); throws SYMBOLS_INVALID when the table lacks it. */
  fieldOffset(struct: string, path: string): number;
  /** The name of an enumeration's constant with this value; undefined when the table has neither. */
  enumName(enumeration: string, value: number): string | undefined;
  /** A whole structure at `address`; null when any of it is not mapped or not captured. */
  readStruct(struct: string, address: bigint, space?: VirtualMemory): Promise<StructReader | null>;
  /** The 64-bit pointer at `address`; null when it is not mapped or not captured. */
  readPointer(address: bigint, space?: VirtualMemory): Promise<bigint | null>;
  /** A NUL-terminated UTF-8 string of at most `max` bytes (default 256); null when not mapped or not captured. */
  readCString(address: bigint, max?: number, space?: VirtualMemory): Promise<string | null>;
  /**
   * The entries of a circular doubly linked list in kernel memory (Windows LIST_ENTRY, Linux list_head), `head`
   * excluded, in forward order, each as the address of its link (subtract the link's field offset for the
   * structure). Stops with one warning at an unreadable or NULL link, at an entry seen before, or at the limit.
   */
  listEntries(head: bigint, options: ListWalkOptions): AsyncIterable<bigint>;
}
