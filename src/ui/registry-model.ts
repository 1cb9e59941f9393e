import type { Cell, Column, CountedWarning, PluginOptions, PluginRow } from '../plugins/plugin.ts';

/** The plugins the registry browser reads the registry with. */
export const HIVELIST = 'windows.registry.hivelist';
export const PRINTKEY = 'windows.registry.printkey';

/** A hive as windows.registry.hivelist lists it. */
export interface Hive {
  /** Its _CMHIVE's address, as hex ("0xfffff378c0080000"): what the URL and printkey's --offset name it by. */
  readonly offset: string;
  /** FileFullPath, else FileUserName, else HiveRootPath ('' when none is set, as for the master hive). */
  readonly name: string;
}

/** A subkey as its parent's listing gives it. */
export interface Subkey {
  readonly name: string;
  /** ISO 8601, or null when printkey could not say. */
  readonly lastWrite: string | null;
  readonly volatile: boolean;
}

/** One key as printkey shows it (no recursion): its subkeys, its values, and what of it is not in memory. */
export interface KeyListing {
  /** False: printkey found no such key in the hive (not there, or a key on its path lies in a paged-out bin). */
  readonly found: boolean;
  readonly subkeys: readonly Subkey[];
  /** Rows of VALUE_COLUMNS. */
  readonly values: readonly PluginRow[];
  /** The key's last write time, where printkey gives it (with its values); null otherwise. */
  readonly lastWrite: string | null;
  readonly volatile: boolean | null;
  /** Subkey cells, and whole subkey lists, that are not in the image (printkey leaves them out, with a warning). */
  readonly missingSubkeys: number;
  readonly missingLists: number;
  /** The warnings about this key itself (not those about the keys on its path). */
  readonly warnings: readonly CountedWarning[];
  /** Every warning of the run, those about the keys on its path included: what its subkeys' listings repeat. */
  readonly runWarnings: readonly CountedWarning[];
}

/** The values table: as printkey shows a key's values. */
export const VALUE_COLUMNS: readonly Column[] = [
  { name: 'Name', type: 'str' },
  { name: 'Type', type: 'str' },
  { name: 'Data', type: 'str' },
];

/** A hive's rows from hivelist (Offset, FileFullPath). */
export function hivesOf(columns: readonly Column[], rows: readonly PluginRow[]): Hive[] {
  const [offset, name] = [column(columns, 'Offset'), column(columns, 'FileFullPath')];
  return rows.map((r) => ({ offset: hex(r.values[offset] ?? null), name: String(r.values[name] ?? '') }));
}

/** A hive's name as printkey prints it in its Key column. */
export function printedHiveName(hive: Hive): string {
  return hive.name || '[NONAME]';
}

/** A hive in a few words: its file's name ("SOFTWARE", "ntuser.dat (alice)"), the master hive said as such. */
export function hiveLabel(hive: Hive): string {
  if (!hive.name) return 'master hive (no file)';
  const user = userOf(hive);
  const file = hive.name.split('\\').pop() || hive.name;
  return user ? `${file} (${user})` : file;
}

/** The user whose profile a hive is in (`\Users\<name>\ntuser.dat`), else null. */
function userOf(hive: Hive): string | null {
  return /\\Users\\([^\\]+)\\/i.exec(hive.name)?.[1] ?? null;
}

/** printkey's options for one key (a path below the hive's root; [] for the root). */
export function printkeyOptions(hive: Hive, path: readonly string[], recurse = false): PluginOptions {
  // The offset as Volatility prints it, 48 bits (a safe integer); the plugin sign-extends it back.
  const offset = Number(BigInt(hive.offset) & 0xffff_ffff_ffffn);
  return { offset, ...(path.length > 0 ? { key: path.join('\\') } : {}), ...(recurse ? { recurse: true } : {}) };
}

/**
 * One key's listing from a printkey run on it alone (no recursion). `inherited` are the warnings of its parent's
 * run (runWarnings): this run finds the key by reading every key on its path, and repeats what was said about them.
 */
export function keyListing(
  columns: readonly Column[],
  rows: readonly PluginRow[],
  warnings: readonly CountedWarning[],
  inherited: readonly CountedWarning[],
): KeyListing {
  const at = (name: string) => column(columns, name);
  const [time, type, name, data, volatile] = [at('Last Write Time'), at('Type'), at('Name'), at('Data'), at('Volatile')];
  const subkeys: Subkey[] = [];
  const values: PluginRow[] = [];
  let lastWrite: string | null = null;
  let isVolatile: boolean | null = null;
  let found = true;
  for (const { values: v } of rows) {
    if (v[type] === 'Key' && v[name] === null) {
      // Volatility's row for a hive without the key asked for.
      found = false;
    } else if (v[type] === 'Key') {
      subkeys.push({ name: String(v[name]), lastWrite: text(v[time] ?? null), volatile: v[volatile] === true });
    } else {
      values.push({ depth: 0, values: [v[name] ?? null, v[type] ?? null, v[data] ?? null] });
      lastWrite = text(v[time] ?? null);
      isVolatile = v[volatile] === true;
    }
  }
  const said = new Set(inherited.map(warningKey));
  const own = warnings.filter((w) => !said.has(warningKey(w)));
  const count = (pattern: RegExp) => own.filter((w) => w.code === 'UNREADABLE' && pattern.test(w.message)).reduce((n, w) => n + w.count, 0);
  // The reader's words (src/os/windows/registry/hive-keys.ts) for a subkey's nk cell, and a subkey list, not in memory.
  return {
    found,
    subkeys,
    values,
    lastWrite,
    volatile: isVolatile,
    missingSubkeys: count(/: subkey cell 0x[0-9a-f]+ is not in memory/),
    missingLists: count(/: subkey list cell 0x[0-9a-f]+ is not in memory/),
    warnings: own,
    runWarnings: warnings,
  };
}

/** A search hit: a key whose name has the text searched for, with the hive and path printkey's row gives it. */
export interface KeyHit {
  readonly hive: Hive;
  readonly path: readonly string[];
  readonly lastWrite: string | null;
}

/** Whether a row of a recursive printkey run is a key whose name contains `text` (case-insensitively). */
export function keyNameMatches(text: string): (row: PluginRow, columns: readonly Column[]) => boolean {
  const needle = text.toLowerCase();
  return (row, columns) => {
    const name = row.values[column(columns, 'Name')];
    return row.values[column(columns, 'Type')] === 'Key' && typeof name === 'string' && name.toLowerCase().includes(needle);
  };
}

/** The key a matching row names: its hive (by offset) and its path below the root. */
export function keyHit(columns: readonly Column[], row: PluginRow, hives: readonly Hive[]): KeyHit | null {
  const at = (name: string) => row.values[column(columns, name)] ?? null;
  const hive = hives.find((h) => h.offset === hex(at('Hive Offset')));
  const parent = String(at('Key') ?? '');
  if (!hive) return null;
  const prefix = printedHiveName(hive);
  const below = parent === prefix ? [] : parent.startsWith(`${prefix}\\`) ? parent.slice(prefix.length + 1).split('\\') : null;
  return below && { hive, path: [...below, String(at('Name'))], lastWrite: text(at('Last Write Time')) };
}

/** A key one click away: where responders look for persistence. */
export interface Shortcut {
  readonly label: string;
  readonly hive: Hive;
  /** The key's path; for Services, the control set is read from SYSTEM's Select\Current first (see servicesPath). */
  readonly path: readonly string[];
  readonly services?: true;
}

const RUN = ['Microsoft', 'Windows', 'CurrentVersion'];
const NT = ['Microsoft', 'Windows NT', 'CurrentVersion'];

/**
 * The common persistence keys of the hives listed: Run and RunOnce in SOFTWARE and in each user's NTUSER.DAT, the
 * services of SYSTEM's current control set, Winlogon and the scheduled tasks' cache in SOFTWARE.
 */
export function shortcuts(hives: readonly Hive[]): Shortcut[] {
  const out: Shortcut[] = [];
  const file = (h: Hive) => h.name.split('\\').pop()?.toUpperCase();
  for (const hive of hives.filter((h) => file(h) === 'SOFTWARE')) {
    out.push(
      { label: 'Run (SOFTWARE)', hive, path: [...RUN, 'Run'] },
      { label: 'RunOnce (SOFTWARE)', hive, path: [...RUN, 'RunOnce'] },
      { label: 'Winlogon', hive, path: [...NT, 'Winlogon'] },
      { label: 'Scheduled tasks (TaskCache)', hive, path: [...NT, 'Schedule', 'TaskCache'] },
    );
  }
  for (const hive of hives.filter((h) => file(h) === 'SYSTEM')) {
    out.push({ label: 'Services (SYSTEM)', hive, path: ['CurrentControlSet', 'Services'], services: true });
  }
  for (const hive of hives.filter((h) => file(h) === 'NTUSER.DAT')) {
    const who = userOf(hive) ?? hive.name;
    out.push(
      { label: `Run (${who})`, hive, path: ['Software', ...RUN, 'Run'] },
      { label: `RunOnce (${who})`, hive, path: ['Software', ...RUN, 'RunOnce'] },
    );
  }
  return out;
}

/** The Services key of the control set SYSTEM's Select key names current (its values' rows); ControlSet001 without one. */
export function servicesPath(selectValues: readonly PluginRow[] | undefined): string[] {
  const current = selectValues?.find((r) => String(r.values[0]).toLowerCase() === 'current')?.values[2];
  const n = Number(current);
  const set = Number.isInteger(n) && n > 0 && n < 1000 ? n : 1;
  return [`ControlSet${String(set).padStart(3, '0')}`, 'Services'];
}

function column(columns: readonly Column[], name: string): number {
  return columns.findIndex((c) => c.name === name);
}

function hex(value: Cell): string {
  return typeof value === 'bigint' || typeof value === 'number' ? `0x${BigInt(value).toString(16)}` : String(value);
}

function text(value: Cell): string | null {
  return value === null ? null : String(value);
}

function warningKey(w: CountedWarning): string {
  return `${w.code} ${w.message} ${w.address ?? ''}`;
}
