import type { Cell, Column, PluginRow } from '../plugins/plugin.ts';
import { formatCell } from '../render/format-cell.ts';
import { nanosToIso } from '../os/unix-time.ts';
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

/** Plugins whose times count seconds since boot (the kernel log's "12.345678"): on the timeline once the boot time is known. */
const SINCE_BOOT: Readonly<Record<string, { readonly column: string; readonly event: string; readonly details: string }>> = {
  'linux.kmsg': { column: 'timestamp', event: 'kernel message', details: 'line' },
};

/** Whether the source's rows give timeline events: a date-time column, or times since a boot time that is known. */
export function feedsTimeline(source: TimelineSource, bootTime: string | undefined): boolean {
  return source.columns.some((c) => c.type === 'datetime') || (bootTime !== undefined && source.plugin in SINCE_BOOT);
}

/**
 * Every timestamp of the runs so far as one event each (process created and exited, thread started, DLL loaded,
 * connection created, kernel message logged when the boot time is known), oldest first. The same event seen by several
 * plugins (a process's CreateTime in pslist, pstree and psscan) is one row, its Source naming each of them.
 */
export function timelineRows(sources: readonly TimelineSource[], bootTime?: string): PluginRow[] {
  const events = new Map<string, { values: Cell[]; plugins: string[] }>();
  const add = (plugin: string, key: string, values: Cell[]) => {
    const seen = events.get(key);
    if (!seen) events.set(key, { values, plugins: [plugin] });
    else if (!seen.plugins.includes(plugin)) seen.plugins.push(plugin);
  };
  const boot = bootTime === undefined ? null : isoToNanos(bootTime);
  for (const { plugin, columns, rows } of sources) {
    const sinceBoot = SINCE_BOOT[plugin];
    if (sinceBoot && boot !== null) {
      const at = columns.findIndex((c) => c.name === sinceBoot.column);
      const text = columns.findIndex((c) => c.name === sinceBoot.details);
      for (const row of rows) {
        const offset = secondsToNanos(row.values[at]);
        const time = offset === null ? null : nanosToIso(boot + offset);
        if (time === null) continue;
        const details = String(row.values[text] ?? '');
        add(plugin, `${time}\u0000${sinceBoot.event}\u0000${details}`, [time, sinceBoot.event, null, null, details]);
      }
      continue;
    }
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
        add(plugin, key, [time, event, process?.pid ?? null, process?.name ?? null, details]);
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

/** "12.345678" seconds as nanoseconds; null when the cell is no such number. */
function secondsToNanos(cell: Cell | undefined): bigint | null {
  const m = typeof cell === 'string' ? /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(cell) : null;
  return m ? BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0')) : null;
}

/** An ISO 8601 UTC time with up to nanoseconds as nanoseconds since 1970; null when it is none. */
function isoToNanos(iso: string): bigint | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(?:Z|\+00:00)$/.exec(iso);
  const ms = m ? Date.parse(`${m[1]}Z`) : NaN;
  return Number.isNaN(ms) ? null : BigInt(ms) * 1_000_000n + BigInt((m![2] ?? '').padEnd(9, '0'));
}
