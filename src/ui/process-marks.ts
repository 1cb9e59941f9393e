import type { Column, PluginRow } from '../plugins/plugin.ts';

/** What a process row is beside an ordinary running process. */
export type ProcessMark = 'exited' | 'hidden' | 'hidden exited';

export const MARK_TEXT: Record<ProcessMark, string> = {
  exited: 'Exited: the process has an exit time',
  hidden: 'Hidden: found in memory but not on the active process list',
  'hidden exited': 'Exited, and not on the active process list',
};

/** The row's classes for its mark: `mark-hidden`, `mark-exited`, both or none. */
export function markClass(mark: ProcessMark | undefined): string {
  return mark
    ? mark
        .split(' ')
        .map((m) => `mark-${m}`)
        .join(' ')
    : '';
}

/** The row's accessible description for its mark. */
export function markTitle(mark: ProcessMark | undefined): string | undefined {
  return mark && MARK_TEXT[mark];
}

/** Column names of a process's identity and times, in the process plugins' spellings (Windows, Linux). */
const PID = ['PID'];
const CREATED = ['CreateTime', 'CREATION TIME'];
const EXITED = ['ExitTime'];

const columnOf = (columns: readonly Column[], names: readonly string[]) => columns.findIndex((c) => names.includes(c.name));

/**
 * One process's identity across plugins: its PID and creation time (a PID is reused; the pair is not), e.g.
 * `4|2024-03-01T10:00:00+00:00`; undefined for rows of other plugins.
 */
export function processKey(columns: readonly Column[], row: PluginRow): string | undefined {
  const pid = row.values[columnOf(columns, PID)];
  if (typeof pid !== 'number') return undefined;
  return `${pid}|${row.values[columnOf(columns, CREATED)] ?? ''}`;
}

/** Every process a run of the active process list saw (its rows' keys). */
export function listedProcesses(columns: readonly Column[], rows: readonly PluginRow[]): ReadonlySet<string> {
  return new Set(rows.flatMap((r) => processKey(columns, r) ?? []));
}

/**
 * The marks of a process plugin's rows: exited where the row has an exit time; hidden where `listed` (the active
 * list's processes, when a list run is at hand) lacks it. Undefined for plugins whose rows are not processes.
 */
export function processMarker(
  columns: readonly Column[],
  listed: ReadonlySet<string> | undefined,
): ((row: PluginRow) => ProcessMark | undefined) | undefined {
  const exit = columnOf(columns, EXITED);
  if (columnOf(columns, PID) < 0 || columnOf(columns, CREATED) < 0 || (exit < 0 && !listed)) return undefined;
  return (row) => {
    const exited = exit >= 0 && row.values[exit] !== null && row.values[exit] !== undefined;
    const key = listed && processKey(columns, row);
    const hidden = key !== undefined && !listed!.has(key);
    return hidden ? (exited ? 'hidden exited' : 'hidden') : exited ? 'exited' : undefined;
  };
}
