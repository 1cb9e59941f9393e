// The plugin contract as plugin authors get it: `npm run build` emits these declarations as dist/plugin.d.ts, which
// `import('memscope/plugin')` resolves to (package.json "exports"; see the plugin guide, README.md here). This
// module imports nothing but plugin.ts (plain data types), so the declarations publish no engine internals. The
// engine's own types (plugin-definition.ts) give memscope's plugins more; test/node/plugin-api.test.ts checks that
// what the engine hands a plugin satisfies these, and that a plugin written against these is one the engine runs.

import type { Cell, Column, OptionSpec, PluginOptions, PluginRow, RunWarning } from './plugin.ts';

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

/**
 * What a plugin needs before it can run: the engine checks every one first and names all that are unmet. (`Os` is
 * there for the engine, whose OS ids come from its registry; plugin authors use the default.)
 */
export type Requirement<Os extends string = OsName> =
  /** The image's OS kernel with its symbol table (ctx.windows() / ctx.linux()). */
  | { readonly kind: 'kernel'; readonly os: Os }
  /** Another plugin whose rows this one reads with ctx.runPlugin; `version` is a semver range ("^1.0.0"). */
  | { readonly kind: 'plugin'; readonly name: string; readonly version: string };

/** A row of another plugin as ctx.runPlugin hands it over. */
export interface PluginRecord {
  readonly depth: number;
  readonly cells: Readonly<Record<string, Cell>>;
}

/** The image's physical memory. Addresses are numbers (< 2^53). */
export interface PhysicalMemory {
  /** Highest physical address + 1. */
  readonly size: number;
  /** Bytes of physical memory the capture holds. */
  readonly capturedBytes: number;
  /** `length` bytes at `address`; memory the capture does not hold reads as zeros. */
  read(address: number, length: number): Promise<Uint8Array>;
}

/** A virtual address space. */
export interface VirtualMemory {
  /** `length` bytes at `address`; null when any of them is not mapped or not captured. */
  read(address: bigint, length: number): Promise<Uint8Array | null>;
}

/**
 * The image's kernel as ctx.windows() / ctx.linux() give it, as far as it is published: its symbols and reads of
 * its address space. memscope's own plugins use more of the same object (typed structure reads, process address
 * spaces); that part is internal and may change with any release.
 */
export interface KernelContext {
  /** The kernel's virtual address space. */
  readonly vm: VirtualMemory;
  /** Virtual address of a kernel symbol in this boot; throws SYMBOLS_INVALID when the symbol table lacks it. */
  symbolAddress(name: string): bigint;
  hasSymbol(name: string): boolean;
  /** Whether the symbol table describes this structure (or type). */
  hasStruct(name: string): boolean;
  /** The 64-bit pointer at a kernel virtual address; null when it is not mapped or not captured. */
  readPointer(address: bigint): Promise<bigint | null>;
  /** A NUL-terminated UTF-8 string of at most `max` bytes (default 256); null when not mapped or not captured. */
  readCString(address: bigint, max?: number): Promise<string | null>;
}

/** The run's cancellation (an AbortSignal): long loops call `ctx.signal?.throwIfAborted()`. */
export interface RunSignal {
  readonly aborted: boolean;
  throwIfAborted(): void;
}

/** What a plugin run gets: its options, the image, other plugins' rows, progress and warnings. */
export interface PluginContext {
  /** Checked, typed option values; an unset option is undefined (apply your default). */
  readonly options: PluginOptions;
  readonly physical: PhysicalMemory;
  readonly signal?: RunSignal;
  /** The Windows kernel; throws (OS_NOT_FOUND, SYMBOLS_MISSING, SYMBOLS_INVALID) when the image has none. */
  windows(): Promise<KernelContext>;
  /** The Linux kernel; throws (OS_NOT_FOUND, SYMBOLS_MISSING, SYMBOLS_INVALID) when the image has none. */
  linux(): Promise<KernelContext>;
  /**
   * Rows of another plugin (the same image, these options), each cell keyed by its column name. The plugin must
   * be among this one's requirements; its warnings join this run's.
   */
  runPlugin(name: string, options?: PluginOptions): AsyncIterable<PluginRecord>;
  progress(done: number, total: number, stage: string): void;
  /** Reports a problem that costs rows or values but not the run; identical warnings are counted, not repeated. */
  warn(warning: RunWarning): void;
}

/**
 * A plugin's declaration and its generator of rows, for a given context; the engine's own plugins get a richer
 * context than the published one, the rest is the same.
 */
export interface PluginDeclaration<Context, Os extends string = OsName> {
  /** Dotted lower-case words ("community.masquerade"); Volatility 3's name where it has the plugin. */
  readonly name: string;
  /** Semantic version of the rows and options: a change others may rely on bumps the major. */
  readonly version: string;
  /** One line: the help text. */
  readonly description: string;
  readonly requirements: readonly Requirement<Os>[];
  readonly columns: readonly Column[] | ((options: PluginOptions) => readonly Column[]);
  readonly options: readonly OptionSpec[];
  /** Rows nest: yielded in pre-order, `depth` 1, 2, … under the row they belong to. */
  readonly tree: boolean;
  run(ctx: Context): AsyncIterable<PluginRow>;
}

/** A plugin is a declaration plus one async generator of rows: a module's default export (or `export const plugins`). */
export type PluginDefinition = PluginDeclaration<PluginContext>;
