import type { Column, CountedWarning, OptionSpec, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import type { ErrorCode } from '../errors.ts';
import type { OsName, Requirement } from '../plugins/plugin-definition.ts';
import type { ImageHashes } from './image-hash.ts';
import type { SessionSeed } from './session-seed.ts';

/** What the UI shows about an opened image. Addresses are hex strings ("0x1aa000"). */
export interface ImageSummary {
  readonly fileName: string;
  /** Identifies the image cheaply (its size and samples of its bytes, not a content hash): runs are kept under it. */
  readonly fingerprint: string;
  readonly format: string;
  /** e.g. "ELF64 core dump (QEMU dump-guest-memory, VirtualBox dumpguestcore)". */
  readonly formatDescription: string;
  readonly fileSize: number;
  /** Highest physical address + 1. */
  readonly physicalSize: number;
  /** Bytes of physical memory the capture actually holds. */
  readonly capturedBytes: number;
  /** The registered OS id of the image's kernel, null when none was found. */
  readonly os: OsName | null;
  /** e.g. "Windows 10 2004–22H2 (10.0.19041)", "Linux 6.1.0-56-amd64". */
  readonly osVersion?: string;
  readonly dtb?: string;
  readonly kernelBase?: string;
  /** Symbol table in use, e.g. "ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1". */
  readonly symbols?: string;
  /** The symbol table this image's kernel is described by, as stores key it ("ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1"). */
  readonly symbolKey?: string;
  /** Set when the OS was found but its symbol table is not in the store (plugins that need it will fail). */
  readonly missingSymbols?: MissingSymbols;
  /** When the machine booted (ISO 8601, UTC), where the kernel says: kernel-log times count from it. */
  readonly bootTime?: string;
  /** Set when no OS kernel can be read from the image: what the file is, in plain words, and what was checked. */
  readonly noOs?: NoOsFinding;
  readonly warnings: readonly string[];
}

/** Why an image shows no OS, for the summary (built from discovery's findings and a small sample of the content). */
export interface NoOsFinding {
  /**
   * truncated: the container says the file ends early; incomplete: an OS was seen, but not enough of it to read its
   * kernel; file-type: a known non-memory file (PNG, PDF, …); zeros: all zeros where sampled; random: near-random
   * where sampled (encrypted or compressed); unrecognised: none of these, and no OS memscope knows.
   */
  readonly kind: 'truncated' | 'incomplete' | 'file-type' | 'zeros' | 'random' | 'unrecognised';
  /** A few words for the OS line, e.g. "none readable: truncated capture", "none: a PNG image". */
  readonly short: string;
  /** What the file is, in one or two plain sentences. */
  readonly verdict: string;
  /** What was still found: an OS seen, in its discovery's words (why its kernel cannot be read). */
  readonly found: readonly string[];
  /** What memscope looked for and did not find, and what the sampled content looks like. */
  readonly checked: readonly string[];
}

/** A plugin's declaration as the page and `memscope plugins --json` see it (plain data). */
export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly os: OsName | 'any';
  readonly requirements: readonly Requirement[];
  readonly columns: readonly Column[];
  readonly options: readonly OptionSpec[];
  /** Rows nest (`depth`), e.g. pstree. */
  readonly tree: boolean;
  /** Where a third-party plugin came from; unset for memscope's own. */
  readonly origin?: string;
  /** The column holding domain names, by which rows may be enriched (PluginDefinition.domainColumn). */
  readonly domainColumn?: string;
}

/** A plugin offered for an opened image, with one reason per requirement it lacks there (empty: it can run). */
export interface ImagePluginInfo extends PluginInfo {
  readonly unmet: readonly string[];
}

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly stage: string;
}

export interface RunSummary {
  readonly rowCount: number;
  /** This run's own warnings (the image's are in ImageSummary.warnings). */
  readonly warnings: readonly CountedWarning[];
  readonly elapsedMs: number;
  /** The files the run's plugin wrote (PluginContext.output), where the host keeps them; none written: unset. */
  readonly files?: readonly RunFile[];
}

/** A file a run wrote: its name, size in bytes, and where the host keeps it (the page: the OPFS folders to it). */
export interface RunFile {
  readonly name: string;
  readonly size: number;
  readonly folder: readonly string[];
}

/** A symbol table the image needs and the store does not hold: a Windows PDB's, or a Linux kernel's without BTF. */
export type MissingSymbols =
  | {
      readonly kind: 'pdb';
      readonly pdbName: string;
      readonly guid: string;
      readonly age: number;
      /** The kernel is read without it for now: memscope found the process structures in the image itself. */
      readonly discovered?: boolean;
    }
  | { readonly kind: 'linux'; readonly release: string; readonly banner: string; readonly reason: string };

/** A process's own address space, found by PID (plain data, so it crosses the worker boundary as it is). */
export interface ProcessSpace {
  readonly kind: 'process';
  readonly pid: number;
}

export type MemorySpace = 'physical' | 'kernel' | ProcessSpace;

/**
 * Raw bytes at `address` (hex). `unmapped`: offsets into `bytes` where a page that is not mapped / not captured
 * begins (0, or a page boundary); it reads as zeros up to the next page boundary.
 */
export interface MemoryRead {
  readonly address: string;
  readonly bytes: Uint8Array;
  readonly unmapped: number[];
}

/** Errors cross the worker boundary as plain data. */
export interface EngineFailure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly missingSymbols?: MissingSymbols;
  /** INTERNAL only: where memscope failed, for the bug report. */
  readonly stack?: string;
  /** A plugin run that failed or was cancelled: the warnings it raised before it stopped (none: unset). */
  readonly warnings?: readonly CountedWarning[];
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineFailure };

/** Plugin runs on an opened image, streamed to the page; the engine worker and the plugin sandbox both offer them. */
export interface PluginJobs {
  /** The columns a run with these options yields (options may change them, e.g. Offset(V) → Offset(P)). */
  columns(plugin: string, options: PluginOptions): Promise<Column[]>;
  run(
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
  ): Promise<Outcome<RunSummary>>;
  cancel(jobId: string): void;
}

/** The engine worker's interface (exposed with comlink). The UI thread never holds image bytes. */
export interface EngineApi extends PluginJobs {
  /**
   * `companions`: files chosen with the image that its format may ask for (a VMware .vmem's .vmss/.vmsn); `onProgress`:
   * how far decompressing a gzip file or a deflated ZIP member into a temporary copy is.
   */
  open(
    file: Blob,
    fileName: string,
    companions?: readonly { name: string; blob: Blob }[],
    onProgress?: (done: number, total: number, stage: string) => void,
  ): Promise<Outcome<ImageSummary>>;
  /**
   * Symbol files (ISF .json / .json.xz) the user dropped, stored in IndexedDB, or symbol packs (.zip, e.g.
   * Volatility's windows.zip), kept for the session and read in place. Returns the keys added.
   */
  addSymbolFiles(files: readonly { name: string; blob: Blob }[]): Promise<Outcome<string[]>>;
  plugins(): Promise<ImagePluginInfo[]>;
  /**
   * Up to 64 KiB (more → BAD_REQUEST) of physical memory, of the kernel's virtual address space or of a
   * process's (OS_NOT_FOUND / SYMBOLS_MISSING without a kernel context; BAD_REQUEST for a PID with no user
   * address space); `address` is hex (0x…) or decimal.
   */
  readMemory(space: MemorySpace, address: string, length: number): Promise<Outcome<MemoryRead>>;
  /** The open image's discovery-cache entries and symbol files, for the plugin sandbox's session of the same image. */
  sessionSeed(): Promise<Outcome<SessionSeed>>;
  /** SHA-256 and MD5 of the open image's file (chain of custody), read once with progress. */
  hashImage(onProgress: (done: number, total: number) => void): Promise<Outcome<ImageHashes>>;
  /** Stops the hashing under way (hashImage then answers CANCELLED); nothing when none is. */
  cancelHashing(): void;
  /** The symbol files kept in this browser (IndexedDB) for later sessions. */
  keptSymbols(): Promise<Outcome<KeptSymbols[]>>;
  /** Forgets a kept symbol file; an image open now keeps the table it has read. */
  forgetSymbols(key: string): Promise<Outcome<void>>;
  /**
   * A kept PDB's table as a Volatility 3 ISF file, or (for the open image's key, while its kernel is read without a
   * symbol file) the table discovered in the image; BAD_REQUEST for a table that is an ISF already.
   */
  isfFile(key: string): Promise<Outcome<{ readonly fileName: string; readonly text: string }>>;
}

/** A symbol file kept in this browser. */
export interface KeptSymbols {
  /** The table it is ("ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1", "linux/Linux version …"). */
  readonly key: string;
  readonly fileName: string;
  readonly bytes: number;
  /** A Microsoft PDB (which can be saved as an ISF), not an ISF file. */
  readonly pdb: boolean;
}
