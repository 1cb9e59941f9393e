import type { PluginOptions } from '../plugins/plugin.ts';

/** Option text longer than this is not put in the URL. */
const MAX_OPTIONS_TEXT = 1000;

/** The page's panes. */
export type Pane = 'results' | 'memory' | 'process' | 'timeline' | 'registry';
const PANES: readonly Pane[] = ['results', 'memory', 'process', 'timeline', 'registry'];

/**
 * What the page shows, as its URL's fragment carries it (`#pane=results&plugin=windows.pslist&filter=pid%3A%3E4`), so
 * that Back/Forward return to it and a reload returns to it once the same image is opened again. Nothing of the image
 * itself is in it: only plugin names, options, the filter typed, a PID and, for the registry pane, a hive's address and
 * the path of the key shown (key names, from the image).
 */
export interface PageView {
  readonly pane: Pane;
  /** The run shown in the results pane: its plugin and options. */
  readonly plugin?: string;
  readonly options?: PluginOptions;
  /** The text in that run's filter box. */
  readonly filter?: string;
  /** The process the process pane shows. */
  readonly process?: number;
  /** The registry pane's hive (its _CMHIVE's address, hex) and key (its path below the hive's root; '' for the root). */
  readonly hive?: string;
  readonly key?: string;
}

export function viewToHash(view: PageView): string {
  const params = new URLSearchParams({ pane: view.pane });
  if (view.plugin) params.set('plugin', view.plugin);
  const options = JSON.stringify(givenOptions(view.options ?? {}));
  // Long option text (YARA rules) stays out of the URL: that view cannot come back by URL, the rest of it can.
  if (options !== '{}' && options.length <= MAX_OPTIONS_TEXT) params.set('options', options);
  if (view.filter) params.set('filter', view.filter);
  if (view.process !== undefined) params.set('process', String(view.process));
  if (view.hive) {
    params.set('hive', view.hive);
    if (view.key) params.set('key', view.key);
  }
  return `#${params}`;
}

/** The view a fragment names; what it does not name, or names wrongly (hand-edited), is left out. */
export function viewFromHash(hash: string): PageView | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const pane = params.get('pane') as Pane | null;
  if (!pane || !PANES.includes(pane)) return undefined;
  const process = Number(params.get('process') ?? NaN);
  return {
    pane,
    ...(params.get('plugin') ? { plugin: params.get('plugin')! } : {}),
    options: parseOptions(params.get('options')),
    ...(params.get('filter') ? { filter: params.get('filter')! } : {}),
    ...(Number.isSafeInteger(process) && process >= 0 ? { process } : {}),
    ...(/^0x[0-9a-f]+$/i.test(params.get('hive') ?? '') ? { hive: params.get('hive')!.toLowerCase(), key: params.get('key') ?? '' } : {}),
  };
}

/** One key per run of a plugin with given options (unset ones left out), e.g. to keep each run's filter apart. */
export function runKey(plugin: string, options: PluginOptions): string {
  const given = givenOptions(options);
  return `${plugin} ${JSON.stringify(
    Object.keys(given)
      .sort()
      .map((k) => [k, given[k]]),
  )}`;
}

/** Options with a value: unset, false, empty text and empty lists say nothing. */
export function givenOptions(options: PluginOptions): PluginOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
}

function parseOptions(text: string | null): PluginOptions {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => isOptionValue(v))) as PluginOptions;
  } catch {
    return {};
  }
}

function isOptionValue(v: unknown): boolean {
  const scalar = (x: unknown) => typeof x === 'number' || typeof x === 'string';
  return (
    typeof v === 'boolean' || scalar(v) || (Array.isArray(v) && (v.every((x) => typeof x === 'number') || v.every((x) => typeof x === 'string')))
  );
}
