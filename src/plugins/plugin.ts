/** How a column's values are typed and shown. Matches Volatility 3's renderer types. */
export type ColumnType = 'int' | 'hex' | 'str' | 'datetime' | 'bool' | 'bytes';

/** The address space a column's values point into; 'process' is the own space of the row's PID. */
export type AddressKind = 'physical' | 'kernel' | 'process';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Set on `hex` columns that hold addresses (the page opens them in the hex view); others are plain numbers. */
  readonly address?: AddressKind;
}

/**
 * A cell value. Integers that may exceed 2^53 (addresses) are bigint; `datetime` cells are ISO-8601
 * strings in UTC; null is "N/A" (Volatility's UnreadableValue / NotApplicableValue).
 */
export type Cell = number | bigint | string | boolean | null;

/** One row; `depth` > 0 nests it under the nearest preceding row of depth - 1 (tree plugins). */
export interface PluginRow {
  readonly depth: number;
  readonly values: readonly Cell[];
}

/**
 * What kind of problem a run met, for a responder to act on or filter by:
 * - SMEAR: structures contradict each other (a list or tree looping back, a NULL link mid-list, a pointer that does
 *   not point back, an implausible size): memory captured while the system ran, or tampered with.
 * - UNREADABLE: a structure is not in the captured memory (not captured, paged out, or behind a pointer into unmapped memory).
 * - LIMIT: a safety cap was reached (entries, slots, hits, warnings); what lies beyond it was not read.
 * - UNSUPPORTED: the data is there but memscope does not decode it, or this kernel lacks what an option needs.
 * - NOT_FOUND: what an option names is not there (a registry key): where the search stopped, the closest thing found.
 */
export type WarningCode = 'SMEAR' | 'UNREADABLE' | 'LIMIT' | 'UNSUPPORTED' | 'NOT_FOUND';

/** A problem that cost a run some rows or values, not the run. Plain data: it crosses the worker boundary and JSON. */
export interface RunWarning {
  readonly code: WarningCode;
  readonly message: string;
  /**
   * Kernel virtual address ("0xffff…") of the structure concerned, when known: for UNREADABLE the one that could not
   * be read, otherwise the one holding the bad value (e.g. the list entry whose link loops back).
   */
  readonly address?: string;
}

/** A warning as a run reports it: identical ones (code, message and address) once, with how often they occurred. */
export interface CountedWarning extends RunWarning {
  readonly count: number;
}

export type Warn = (warning: RunWarning) => void;

interface OptionCommon {
  /** Spelled as on the command line, without the dashes: `pid` is `--pid`. */
  readonly name: string;
  readonly description: string;
}

/** A flag: `--physical` on the command line, a checkbox in the page. */
export interface BoolOption extends OptionCommon {
  readonly type: 'bool';
  readonly default?: boolean;
}

/** A non-negative integer (decimal or 0x hex text). */
export interface IntOption extends OptionCommon {
  readonly type: 'int';
  readonly default?: number;
  /** Several values (`--pid 4 --pid 8`; "4, 8" in the page): the option's value is then an array. */
  readonly multiple?: boolean;
}

export interface StrOption extends OptionCommon {
  readonly type: 'str';
  readonly default?: string;
  /** Only these values (the CLI help lists them, the page offers a <select>). */
  readonly choices?: readonly string[];
  /** Several values (`--x a --x b`; "a, b" in the page): the option's value is then an array. */
  readonly multiple?: boolean;
  /**
   * Another name (lower-case-dashed) under which the CLI takes a file's path: `--<fromFile> PATH` gives this option
   * the file's text (UTF-8). Not with `multiple` or `choices`.
   */
  readonly fromFile?: string;
}

// A union, so that `choices` and `multiple` cannot be declared where they mean nothing (a flag).
export type OptionSpec = BoolOption | IntOption | StrOption;

/** An option's value: its type's, or an array of them for a `multiple` option (never a mix). */
export type OptionValue = boolean | number | string | readonly number[] | readonly string[];

export type PluginOptions = Readonly<Record<string, OptionValue | undefined>>;
