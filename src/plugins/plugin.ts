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

export interface OptionSpec {
  readonly name: string;
  readonly type: 'bool' | 'int' | 'str';
  readonly description: string;
  readonly default?: boolean | number | string;
}

export type PluginOptions = Readonly<Record<string, boolean | number | string | undefined>>;
