// The plugin contract: `npm run build` emits these declarations as dist/plugin/api.d.ts, which
// `import('memscope/plugin')` resolves to (package.json "exports"; see the plugin guide, README.md here). memscope's
// own plugins are written against exactly these types, like anyone's. This module and the ones it imports (plugin.ts,
// api/*.ts) import nothing else, so the declarations publish no engine internals; test/node/plugin-api.test.ts checks
// that the engine's types are these.

import type { LinuxKernelContext } from './api/linux.ts';
import type { PhysicalMemory, YaraChunkMatches, YaraChunkOutcome, YaraRequest } from './api/memory.ts';
import type { WindowsKernelContext } from './api/windows.ts';
import type { Cell, Column, OptionSpec, PluginOptions, PluginRow, RunWarning } from './plugin.ts';

export type * from './api/linux.ts';
export type * from './api/memory.ts';
export type * from './api/windows.ts';

export type {
  AddressKind,
  BoolOption,
  Cell,
  Column,
  ColumnType,
  IntOption,
  OptionSpec,
  OptionValue,
  PluginOptions,
  PluginRow,
  RunWarning,
  StrOption,
  WarningCode,
} from './plugin.ts';

/** The operating systems whose kernels memscope reads. */
export type OsName = 'windows' | 'linux';

/** What a plugin needs before it can run: the engine checks every one first and names all that are unmet. */
export type Requirement =
  /**
   * The image's OS kernel with its symbol table (ctx.windows() / ctx.linux()). `discoveredSymbols: true`: the plugin
   * also runs when there is no symbol file and memscope built the table from the image itself (Windows: the process
   * structures only — processes, PEB, loader lists, KUSER_SHARED_DATA, pool and object headers).
   */
  | { readonly kind: 'kernel'; readonly os: OsName; readonly discoveredSymbols?: boolean }
  /** Another plugin whose rows this one reads with ctx.runPlugin; `version` is a semver range ("^1.0.0"). */
  | { readonly kind: 'plugin'; readonly name: string; readonly version: string };

/** A row of another plugin as ctx.runPlugin hands it over. */
export interface PluginRecord {
  readonly depth: number;
  readonly cells: Readonly<Record<string, Cell>>;
}

/** The run's cancellation (an AbortSignal): long loops call `ctx.signal?.throwIfAborted()`. */
export interface RunSignal {
  readonly aborted: boolean;
  throwIfAborted(): void;
}

/**
 * A file a plugin writes through its host (PluginContext.output), streamed: bytes at any offset, never the whole file
 * in memory. Bytes never written read as zeros.
 */
export interface OutputFile {
  /** The name the host gave it (the one asked for, made safe and unique): what the plugin shows in its File Output column. */
  readonly name: string;
  /** Writes `bytes` at offset `at` (default: where the last write ended). */
  write(bytes: Uint8Array, at?: number): Promise<void>;
  /** Ends the file, `length` bytes long when given (zeros after the last write: a sparse file where the host can). */
  close(length?: number): Promise<void>;
}

/** What a plugin run gets: its options, the image, other plugins' rows, progress and warnings. */
export interface PluginContext {
  /** Checked, typed option values; an unset option is undefined (apply your default). */
  readonly options: PluginOptions;
  readonly physical: PhysicalMemory;
  /**
   * Where the host has scan workers for it (the CLI's scan pool, the page's scan workers), YARA rules (their text) over all of physical memory:
   * chunks of 32 MiB, each read 64 KiB past its end, scanned in parallel by workers that each compile the rules once;
   * each chunk's matches that start in it, chunks in address order, rule conditions evaluated per chunk; progress as
   * chunks are done. Absent, or undefined for this image: read and scan on the run's thread.
   */
  readonly physicalYara?: (request: YaraRequest, onProgress?: (done: number, total: number) => void) => AsyncIterable<YaraChunkMatches> | undefined;
  /**
   * Where the host has scan workers, YARA rules run there on bytes the plugin read (a process's or the kernel's memory):
   * the worker compiles them once and is stopped when a call runs past the request's time limit. Absent, or undefined:
   * scan on the run's thread (with no time limit).
   */
  readonly yaraOnWorker?: (request: YaraRequest) => ((bytes: Uint8Array, length: number) => Promise<YaraChunkOutcome>) | undefined;
  readonly signal?: RunSignal;
  /**
   * Where the host keeps the files plugins write (the CLI: the folder -o/--output-dir names, the current one by
   * default), a new file named after `name`: a file name only — folder separators, control characters and other
   * characters unsafe in a file name are replaced, a leading dot too — and a name already taken gets -1, -2 … before
   * its extension. A file left open when the run ends is closed by the host as written. Absent: this host writes no
   * files (say so in the File Output column: 'Disabled (this host writes no files)').
   */
  readonly output?: (name: string) => Promise<OutputFile>;
  /** The Windows kernel for this run; throws (OS_NOT_FOUND, SYMBOLS_MISSING, SYMBOLS_INVALID) when the image has none. */
  windows(): Promise<WindowsKernelContext>;
  /** The Linux kernel for this run; throws (OS_NOT_FOUND, SYMBOLS_MISSING, SYMBOLS_INVALID) when the image has none. */
  linux(): Promise<LinuxKernelContext>;
  /**
   * Rows of another plugin (the same image, these options), each cell keyed by its column name. The plugin must
   * be among this one's requirements; its warnings join this run's.
   */
  runPlugin(name: string, options?: PluginOptions): AsyncIterable<PluginRecord>;
  progress(done: number, total: number, stage: string): void;
  /** Reports a problem that costs rows or values but not the run; identical warnings are counted, not repeated. */
  warn(warning: RunWarning): void;
}

/** A plugin: its declaration and one async generator of rows; a module's default export (or `export const plugins`). */
export interface PluginDefinition {
  /** Dotted lower-case words ("community.masquerade"); Volatility 3's name where it has the plugin. */
  readonly name: string;
  /** Semantic version of the rows and options: a change others may rely on bumps the major. */
  readonly version: string;
  /** One line: the help text. */
  readonly description: string;
  readonly requirements: readonly Requirement[];
  readonly columns: readonly Column[] | ((options: PluginOptions) => readonly Column[]);
  readonly options: readonly OptionSpec[];
  /** Rows nest: yielded in pre-order, `depth` 1, 2, … under the row they belong to. */
  readonly tree: boolean;
  /**
   * The `str` column whose values are domain names (e.g. "Name" of a DNS cache), when the rows have one: the user may
   * then enrich the rows by it (`--enrich umbrella|list:FILE` in the CLI) — a verdict, categories and the matched
   * domain appended to each row. Unset: the rows cannot be enriched.
   */
  readonly domainColumn?: string;
  run(ctx: PluginContext): AsyncIterable<PluginRow>;
}
