import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MemscopeError } from '../errors.ts';
import type { PluginDefinition } from '../plugins/plugin-definition.ts';
import type { PluginOptions } from '../plugins/plugin.ts';
import { parseOptions } from '../plugins/plugin-options.ts';
import { EXIT_BAD_REQUEST, EXIT_DATA_ERROR, EXIT_INTERNAL } from './report-failure.ts';

export type Renderer = 'table' | 'json' | 'jsonl' | 'csv';
const RENDERERS: readonly Renderer[] = ['table', 'json', 'jsonl', 'csv'];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'plugins' }
  | { kind: 'linux-isf'; file: string; cache: boolean; debug: boolean }
  | { kind: 'run'; file: string; symbolDirs: string[]; renderer: Renderer; cache: boolean; debug: boolean; plugin: PluginDefinition; options: PluginOptions };

const GLOBAL_OPTIONS = {
  file: { type: 'string', short: 'f' },
  symbols: { type: 'string', short: 's', multiple: true },
  renderer: { type: 'string', short: 'r', default: 'table' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** `memscope -f IMAGE [-s DIR] [-r table|json|jsonl|csv] PLUGIN [plugin options]` and `memscope plugins`. */
export function parseCli(argv: readonly string[], plugins: readonly PluginDefinition[]): CliCommand {
  const plugin = plugins.find((p) => argv.includes(p.name));
  const pluginOptions: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of plugin?.options ?? []) pluginOptions[o.name] = { type: o.type === 'bool' ? 'boolean' : 'string' };
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
  if (positionals[0] === 'plugins') return { kind: 'plugins' };
  if (positionals[0] === 'linux-isf') {
    if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no image given: use -f IMAGE');
    return { kind: 'linux-isf', file: values.file, cache: !values['no-cache'], debug: values.debug ?? false };
  }
  if (!plugin) throw new MemscopeError('BAD_REQUEST', `unknown plugin "${positionals[0]}" (memscope plugins lists them)`);
  if (!values.file) throw new MemscopeError('BAD_REQUEST', 'no image given: use -f IMAGE');
  const renderer = values.renderer as Renderer;
  if (!RENDERERS.includes(renderer)) throw new MemscopeError('BAD_REQUEST', `unknown renderer "${renderer}" (one of ${RENDERERS.join(', ')})`);
  const options = parseOptions(plugin.options, values);
  return { kind: 'run', file: values.file, symbolDirs: values.symbols ?? [], renderer, cache: !values['no-cache'], debug: values.debug ?? false, plugin, options };
}

export function helpText(plugins: readonly PluginDefinition[]): string {
  return [
    'usage: memscope -f IMAGE [-s SYMBOL_DIR]... [-r table|json|jsonl|csv] [--no-cache] [--debug] PLUGIN [PLUGIN OPTIONS]',
    '       memscope plugins',
    '       memscope -f IMAGE linux-isf > kernel.json   (the Linux kernel\'s BTF + kallsyms as a Volatility 3 ISF)',
    '',
    'Memory forensics on a local image. Nothing leaves this machine.',
    '',
    '  -f, --file IMAGE       memory image (raw, ELF core, LiME, kdump, Windows crash dump, AFF4)',
    '  -s, --symbols DIR      Volatility 3 symbol directory (DIR/windows/ntkrnlmp.pdb/GUID-AGE.json.xz,',
    '                         DIR/windows.zip as downloaded, Linux ISFs in DIR/linux/); repeatable.',
    '                         Linux images need none unless the kernel lacks BTF.',
    '  -r, --renderer FORMAT  table (default), json (Volatility 3 shape), jsonl, csv',
    '      --no-cache         do not read or write the discovery cache',
    '      --debug            on an internal error (a bug in memscope), print its stack too',
    '',
    `exit status: 0 done, ${EXIT_DATA_ERROR} the image or symbols could not be used, ${EXIT_BAD_REQUEST} invalid command line,`,
    `             ${EXIT_INTERNAL} internal error (a bug in memscope: please report it); the reason is one line on stderr`,
    '',
    'plugins:',
    ...plugins.map((p) => `  ${p.name.padEnd(18)} ${p.description}`),
  ].join('\n');
}
