import type { ImagePluginInfo } from '../engine/engine-api.ts';
import type { Cell, Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';

/** A process as a result row names it. */
export interface ProcessRef {
  readonly pid: number;
  readonly name: string | null;
}

/** A process was picked in a result (its row's details, or the process tree). */
export type ProcessOpenEvent = CustomEvent<ProcessRef>;

/** What the process view shows, in this order: a heading and the plugin that answers it, per OS. */
const SECTIONS: readonly (readonly [title: string, plugin: string])[] = [
  ['On the active process list', 'windows.pslist'],
  ['On the active process list', 'linux.pslist'],
  ['Command line', 'windows.cmdline'],
  ['Command line', 'linux.psaux'],
  ['Environment', 'windows.envars'],
  ['Environment', 'linux.envars'],
  ['Modules (DLLs)', 'windows.dlllist'],
  ['Open files', 'linux.lsof'],
  ['Handles', 'windows.handles'],
  ['Network', 'windows.netscan'],
  ['DNS cache', 'windows.dnscache'],
  ['Sockets', 'linux.sockstat'],
  ['Threads', 'windows.threads'],
  ['Memory regions', 'windows.vadinfo'],
  ['Memory maps', 'linux.proc.Maps'],
  ['Injected code', 'windows.malfind'],
  ['Injected code', 'linux.malfind'],
  ['Security identifiers', 'windows.getsids'],
  ['Privileges', 'windows.privileges'],
];

/** Column names that hold a process's name, in the plugins' own spellings. */
const NAME_COLUMNS = ['ImageFileName', 'COMM', 'Process', 'Process Name', 'Name'];

export interface ProcessSection {
  readonly title: string;
  readonly plugin: string;
  /** The plugin takes --pid; otherwise its rows are narrowed to the process by their PID column. */
  readonly byOption: boolean;
}

/** The sections the image's plugins can fill now (runnable, and able to tell one process's rows). */
export function processSections(plugins: readonly ImagePluginInfo[]): ProcessSection[] {
  const runnable = new Map(plugins.filter((p) => p.unmet.length === 0 && p.origin === undefined).map((p) => [p.name, p]));
  return SECTIONS.flatMap(([title, name]) => {
    const plugin = runnable.get(name);
    if (!plugin) return [];
    const byOption = plugin.options.some((o) => o.name === 'pid');
    return byOption || pidColumn(plugin.columns) >= 0 ? [{ title, plugin: name, byOption }] : [];
  });
}

export function sectionOptions(section: ProcessSection, pid: number): PluginOptions {
  return section.byOption ? { pid: [pid] } : {};
}

/** The section's rows that are the process's (all of them when the plugin was run with --pid). */
export function processRows(section: ProcessSection, columns: readonly Column[], rows: readonly PluginRow[], pid: number): PluginRow[] {
  if (section.byOption) return [...rows];
  const column = pidColumn(columns);
  return rows.filter((r) => r.values[column] === pid);
}

/** The process a result row is about: its PID column (an integer) and, where the row has one, its name. */
export function processOfRow(columns: readonly Column[], row: PluginRow): ProcessRef | null {
  const pid = row.values[pidColumn(columns)];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0) return null;
  const nameColumn = columns.findIndex((c) => NAME_COLUMNS.includes(c.name));
  const name: Cell | undefined = row.values[nameColumn];
  return { pid, name: typeof name === 'string' ? name : null };
}

function pidColumn(columns: readonly Column[]): number {
  return columns.findIndex((c) => c.name.toLowerCase() === 'pid' && c.type === 'int');
}
