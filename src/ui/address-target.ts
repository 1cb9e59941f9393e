import type { Cell, Column } from '../plugins/plugin.ts';
import type { HexTarget } from './hex-view.ts';
import type { CellActivateEvent } from './result-table.ts';

/** Volatility's names for the column holding a process's name (linux.proc.Maps, linux.pslist, windows.pslist). */
const PROCESS_NAME_COLUMNS: readonly string[] = ['Process', 'COMM', 'ImageFileName'];

/**
 * Where a clicked address points: into the space its column declares; a process address into the space of the
 * row's PID (undefined when the row has none).
 */
export function addressTarget(columns: readonly Column[], { column, value, row }: CellActivateEvent['detail']): HexTarget | undefined {
  if (column.address !== 'process') return column.address && { space: column.address, address: value };
  const cell = (names: readonly string[]): Cell => row.values[columns.findIndex((c) => names.includes(c.name))] ?? null;
  const pid = cell(['PID']);
  const name = cell(PROCESS_NAME_COLUMNS);
  if (typeof pid !== 'number') return undefined;
  return { space: { kind: 'process', pid }, address: value, processName: typeof name === 'string' ? name : undefined };
}
