import type { Cell, Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { processOfRow } from './process-sections.ts';

/** A run whose rows feed the timeline: its plugin's name and its rows. */
export interface TimelineSource {
  readonly plugin: string;
  readonly columns: readonly Column[];
  readonly rows: readonly PluginRow[];
}

export const TIMELINE_COLUMNS: readonly Column[] = [
  { name: 'Time', type: 'datetime' },
  { name: 'Event', type: 'str' },
  { name: 'PID', type: 'int' },
  { name: 'Process', type: 'str' },
  { name: 'Details', type: 'str' },
  { name: 'Source', type: 'str' },
];

/** The columns whose values describe an event (text and numbers; addresses and flags would crowd them out). */
const DETAIL_TYPES: ReadonlySet<Column['type']> = new Set(['str', 'int']);
const MAX_DETAILS = 6;

/**
 * Every timestamp of the runs so far as one event each (process created and exited, thread started, DLL loaded,
 * connection created…), oldest first. The same event seen by several plugins (a process's CreateTime in pslist,
 * pstree and psscan) is one row, its Source naming each of them.
 */
export function timelineRows(sources: readonly TimelineSource[]): PluginRow[] {
  const events = new Map<string, { values: Cell[]; plugins: string[] }>();
  for (const { plugin, columns, rows } of sources) {
    const times = columns.flatMap((c, i) => (c.type === 'datetime' ? [i] : []));
    if (times.length === 0) continue;
    for (const row of rows) {
      const process = processOfRow(columns, row);
      for (const at of times) {
        const time = row.values[at];
        if (typeof time !== 'string' || time === '') continue;
        const event = columns[at]!.name;
        const details = detailsOf(columns, row, process?.pid ?? null, process?.name ?? null);
        const key = `${time}\u0000${event}\u0000${process?.pid ?? ''}\u0000${process?.name ?? ''}\u0000${process ? '' : details}`;
        const seen = events.get(key);
        if (seen) {
          if (!seen.plugins.includes(plugin)) seen.plugins.push(plugin);
          continue;
        }
        events.set(key, { values: [time, event, process?.pid ?? null, process?.name ?? null, details], plugins: [plugin] });
      }
    }
  }
  return [...events.values()]
    .sort((a, b) => (a.values[0]! < b.values[0]! ? -1 : a.values[0]! > b.values[0]! ? 1 : 0))
    .map(({ values, plugins }) => ({ depth: 0, values: [...values, plugins.join(', ')] }));
}

/** The row's other values in short: `Column=value`, the first few text and number columns that are not its process. */
function detailsOf(columns: readonly Column[], row: PluginRow, pid: number | null, name: string | null): string {
  const parts: string[] = [];
  columns.forEach((c, i) => {
    const value = row.values[i] ?? null;
    if (parts.length >= MAX_DETAILS || !DETAIL_TYPES.has(c.type) || value === null || value === '') return;
    if ((value === pid && /^pid$/i.test(c.name)) || value === name) return;
    parts.push(`${c.name}=${formatCell(value, c.type).split('\n', 1)[0]}`);
  });
  return parts.join(' ');
}
