import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MemscopeError } from '../errors.ts';
import type { PluginDefinition } from '../plugins/plugin-definition.ts';
import type { OptionSpec, PluginOptions } from '../plugins/plugin.ts';
import { isMultiple, parseOptions } from '../plugins/plugin-options.ts';
import { enrichableColumn, enrichRequest, UMBRELLA_KEY_VAR, type EnrichRequest } from './enrichment.ts';
import { UMBRELLA_DEFAULT_URL } from '../enrich/umbrella.ts';
import { withOptionFiles } from './option-files.ts';
import { EXIT_BAD_REQUEST, EXIT_DATA_ERROR, EXIT_INTERNAL } from './report-failure.ts';

export type Renderer = 'table' | 'json' | 'jsonl' | 'csv';
const RENDERERS: readonly Renderer[] = ['table', 'json', 'jsonl', 'csv'];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'plugins'; json: boolean }
  | { kind: 'linux-isf'; file: string; vmss?: string; cache: boolean; debug: boolean }
  | { kind: 'windows-isf'; file: string; vmss?: string; cache: boolean; debug: boolean }
  | { kind: 'pdb-isf'; file: string; debug: boolean }
  /** The image's physical memory written out as a raw image; `force` overwrites an existing file. */
  | { kind: 'image-export'; file: string; vmss?: string; output: string; hash: boolean; force: boolean; debug: boolean }
  | {
      kind: 'run';
      file: string;
      /** `--vmss`: the VMware state file of a .vmem given with -f, when it is not beside it with the same name. */
      vmss?: string;
      symbolDirs: string[];
      /** A symbol server to fetch missing PDBs from (opt-in: nothing is fetched without it). */
      symbolServer?: URL;
      renderer: Renderer;
      /** `-o/--output-dir`: the folder the files plugins write go to (the current one unless given). */
      outputDir: string;
      /** Write the export metadata after the rows (image, hashes, versions, options, run); `hash`: hash the file for it. */
      metadata: boolean;
      hash: boolean;
      cache: boolean;
      debug: boolean;
      plugin: PluginDefinition;
      options: PluginOptions;
      /** Every plugin the session offers (the built-ins and those from --plugin-dir): `plugin` may build on them. */
      plugins: readonly PluginDefinition[];
      /** `--enrich`: the provider asked for, and the plugin's column of domain names it looks up. */
      enrich?: { readonly request: EnrichRequest; readonly domainColumn: string };
    };

const GLOBAL_OPTIONS = {
  file: { type: 'string', short: 'f' },
  vmss: { type: 'string' },
  symbols: { type: 'string', short: 's', multiple: true },
  'symbol-server': { type: 'string' },
  renderer: { type: 'string', short: 'r', default: 'table' },
  metadata: { type: 'boolean' },
  hash: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  json: { type: 'boolean' },
  'plugin-dir': { type: 'string', multiple: true },
  'plugin-timeout': { type: 'string' },
  enrich: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-dir': { type: 'string' },
  force: { type: 'boolean' },
  'enrich-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Seconds a third-party plugin may keep memscope from answering before it is stopped, unless --plugin-timeout says. */
export const DEFAULT_PLUGIN_TIMEOUT_S = 30;

/** What is read before the rest of the command line (which may name their plugins): the --plugin-dir folders and the timeout. */
export function thirdPartyArgs(argv: readonly string[]): { dirs: string[]; timeoutMs: number } {
  const { values } = parseArgs({
    args: [...argv],
    options: { 'plugin-dir': GLOBAL_OPTIONS['plugin-dir'], 'plugin-timeout': GLOBAL_OPTIONS['plugin-timeout'] },
    allowPositionals: true,
    strict: false,
  });
  const timeout = values['plugin-timeout'];
  const seconds = typeof timeout === 'string' ? Number(timeout) : DEFAULT_PLUGIN_TIMEOUT_S;
  if (!Number.isFinite(seconds) || seconds < 0 || (typeof timeout === 'string' && timeout.trim() === '')) {
    throw new MemscopeError('BAD_REQUEST', `--plugin-timeout: ${String(timeout)} is not a number of seconds (0: no limit)`);
  }
  return { dirs: (values['plugin-dir'] as string[] | undefined) ?? [], timeoutMs: seconds * 1000 };
}

/** `memscope -f IMAGE [-s DIR] [-r table|json|jsonl|csv] PLUGIN [plugin options]` and `memscope plugins`. */
export function parseCli(argv: readonly string[], plugins: readonly PluginDefinition[]): CliCommand {
  const plugin = plugins.find((p) => argv.includes(p.name));
  const pluginOptions: NonNullable<ParseArgsConfig['options']> = {};
  // A `multiple` option may be repeated (`--pid 4 --pid 8`): parseArgs then hands over every text given.
  for (const o of plugin?.options ?? []) {
    pluginOptions[o.name] = o.type === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: isMultiple(o) };
    if (o.type === 'str' && o.fromFile) pluginOptions[o.fromFile] = { type: 'string' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...pluginOptions }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new MemscopeError('BAD_REQUEST', `${(e as Error).message.split('\n')[0]} (see memscope --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length === 0) return { kind: 'help' };
  if (positionals.length > 1) throw new MemscopeError('BAD_REQUEST', `unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (positionals[0] === 'plugins') return { kind: 'plugins', json: values.json ?? false };
  const vmss = vmssPath(values.vmss);
  if (positionals[0] === 'linux-isf' || positionals[0] === 'windows-isf') {
    if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no image given: use -f IMAGE');
    return { kind: positionals[0], file: values.file, ...vmss, cache: !values['no-cache'], debug: values.debug ?? false };
  }
  if (positionals[0] === 'image.export') {
    if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no image given: use -f IMAGE');
    if (!values.output) throw new MemscopeError('BAD_REQUEST', 'image.export writes a raw image: name it with -o FILE');
    return {
      kind: 'image-export',
      file: values.file,
      ...vmss,
      output: values.output,
      hash: values.hash ?? false,
      force: values.force ?? false,
      debug: values.debug ?? false,
    };
  }
  if (positionals[0] === 'pdb-isf') {
    if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no PDB given: use -f FILE.pdb');
    return { kind: 'pdb-isf', file: values.file, debug: values.debug ?? false };
  }
  if (!plugin) throw new MemscopeError('BAD_REQUEST', `unknown plugin "${positionals[0]}" (memscope plugins lists them)`);
  if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no image given: use -f IMAGE');
  const renderer = values.renderer as Renderer;
  if (!RENDERERS.includes(renderer)) throw new MemscopeError('BAD_REQUEST', `unknown renderer "${renderer}" (one of ${RENDERERS.join(', ')})`);
  const options = parseOptions(plugin.options, withOptionFiles(plugin.options, values));
  const enrich = enrichRequest(values.enrich, values['enrich-url']);
  return {
    kind: 'run',
    file: values.file,
    ...vmss,
    symbolDirs: values.symbols ?? [],
    ...(values['symbol-server'] === undefined ? {} : { symbolServer: symbolServerUrl(values['symbol-server']) }),
    renderer,
    outputDir: values['output-dir'] ?? values.output ?? '.',
    metadata: (values.metadata ?? false) || (values.hash ?? false),
    hash: values.hash ?? false,
    cache: !values['no-cache'],
    debug: values.debug ?? false,
    plugin,
    options,
    plugins,
    ...(enrich === undefined ? {} : { enrich: { request: enrich, domainColumn: enrichableColumn(plugin, options, plugins) } }),
  };
}

/** `--vmss PATH`: a VMware state file, named .vmss or .vmsn. */
function vmssPath(path: string | undefined): { vmss?: string } {
  if (path === undefined) return {};
  if (!/\.vms[sn]$/i.test(path)) throw new MemscopeError('BAD_REQUEST', `--vmss: ${path} is not a VMware state file (.vmss or .vmsn)`);
  return { vmss: path };
}

function symbolServerUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new MemscopeError('BAD_REQUEST', `--symbol-server: ${text} is not an http(s) URL (e.g. https://msdl.microsoft.com/download/symbols)`);
  }
  return url;
}

export function helpText(plugins: readonly PluginDefinition[]): string {
  return [
    'usage: memscope -f IMAGE [--vmss STATE] [-s SYMBOL_DIR]... [--symbol-server URL] [-r table|json|jsonl|csv] [--metadata] [--hash] [--no-cache] [--debug]',
    '                [--plugin-dir DIR]... [--enrich umbrella|list:FILE [--enrich-url URL]] [-o OUTPUT_DIR] PLUGIN [PLUGIN OPTIONS]',
    "       memscope [--plugin-dir DIR]... plugins [--json]   (--json: every plugin's declaration)",
    "       memscope -f IMAGE linux-isf > kernel.json   (the Linux kernel's BTF + kallsyms as a Volatility 3 ISF)",
    '       memscope -f IMAGE windows-isf > GUID-AGE.json (the Windows process structures found in the image, as an ISF)',
    '       memscope -f FILE.pdb pdb-isf > FILE.json    (a Microsoft PDB as a Volatility 3 ISF)',
    '       memscope -f IMAGE image.export -o OUT.raw [--hash] [--force]',
    '                         (any container memscope reads as a raw image: file offset = physical address, holes as',
    '                         zeros, left sparse; --hash: its SHA-256, SHA-1 and MD5 on stderr; --force: overwrite OUT)',
    '',
    'Memory forensics on a local image. Nothing leaves this machine unless --symbol-server or --enrich umbrella asks.',
    '',
    '  -f, --file IMAGE       memory image (raw, ELF core, LiME, kdump, Windows crash dump, AFF4, VMware .vmem with',
    '                         its .vmss/.vmsn found beside it, or a .vmss/.vmsn with its .vmem beside it)',
    '      --vmss STATE       the .vmss/.vmsn of the VMware .vmem given with -f, where it has another name or folder',
    '  -s, --symbols DIR      Volatility 3 symbol directory (DIR/windows/ntkrnlmp.pdb/GUID-AGE.json.xz,',
    '                         DIR/windows.zip as downloaded, Linux ISFs in DIR/linux/); repeatable.',
    '                         Linux images need none unless the kernel lacks BTF.',
    '      --symbol-server URL fetch a missing Windows PDB from this symbol server (Microsoft layout, e.g.',
    '                         https://msdl.microsoft.com/download/symbols); kept in the cache. Off unless given:',
    '                         the only network use of memscope besides explicit threat-intel lookups.',
    '  -r, --renderer FORMAT  table (default), json (Volatility 3 shape), jsonl, csv',
    '  -o, --output-dir DIR   the existing folder where plugins write the files they extract (--dump), each named in',
    '                         their File Output column (default: the current folder; a name taken gets -1, -2 ...)',
    '      --metadata         after the rows, where they came from: image file, size, hashes, memscope and plugin',
    '                         versions, options, run time, row count (json: {"rows": [...], "metadata": {...}};',
    '                         jsonl: a last {"metadata": ...} line; csv: rows "#field,value"; table: "field: value")',
    "      --hash             compute the image file's SHA-256 and MD5 for the metadata (reads the whole file;",
    '                         implies --metadata; without it the hashes say "not computed")',
    '      --no-cache         do not read or write the discovery cache',
    '      --debug            on an internal error (a bug in memscope), print its stack too',
    '      --plugin-dir DIR   also offer the third-party plugins in DIR (ES modules, *.mjs / *.js); repeatable.',
    '                         They run with your rights, like any program you start: use plugins you trust.',
    `      --plugin-timeout S stop a third-party plugin that keeps memscope from answering for S seconds`,
    `                         (default ${DEFAULT_PLUGIN_TIMEOUT_S}; 0: no limit)`,
    '      --enrich umbrella|list:FILE',
    '                         append Verdict (malicious/benign/unknown), Categories, Matched and Enrichment source',
    '                         columns to the rows of a plugin with domain names. umbrella: ask Cisco Umbrella',
    `                         Investigate (key from ${UMBRELLA_KEY_VAR} or {"umbrella": {"key": ...}} in`,
    '                         ~/.config/memscope/config.json; the names are sent, nothing else). list:FILE: match a',
    '                         local list (a domain per line with an optional label, or CSV with a domain column);',
    '                         a listed domain also matches the names below it. Off unless given. If the provider',
    '                         fails, the rows are printed without it and one warning says why.',
    `      --enrich-url URL   Umbrella Investigate's base URL (default ${UMBRELLA_DEFAULT_URL})`,
    '',
    `exit status: 0 done, ${EXIT_DATA_ERROR} the image or symbols could not be used, ${EXIT_BAD_REQUEST} invalid command line,`,
    `             ${EXIT_INTERNAL} internal error (a bug in memscope: please report it); the reason is one line on stderr`,
    '',
    'plugins:',
    ...plugins.flatMap((p) => [
      `  ${p.name.padEnd(18)} ${p.description}${p.origin ? ` (third-party: ${p.origin})` : ''}`,
      ...p.options.map((o) => `      ${optionUsage(o).padEnd(22)} ${optionHelp(o)}`),
    ]),
  ].join('\n');
}

/** `--physical`, `--pid N`, `--kind {a,b}`: how the option is written. */
function optionUsage(o: OptionSpec): string {
  const value = o.type === 'bool' ? '' : o.type === 'int' ? ' N' : o.choices ? ` {${o.choices.join(',')}}` : ' TEXT';
  return `--${o.name}${value}`;
}

function optionHelp(o: OptionSpec): string {
  return isMultiple(o) ? `${o.description} (repeatable; values may also be comma-separated)` : o.description;
}
