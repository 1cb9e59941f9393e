import type { BoolOption, IntOption, PluginContext, PluginOptions, StrOption, YaraRequest } from '../api.ts';
import { compileYara, YaraCompileError, type YaraLimits } from './yara.ts';
import { chunkMatches, YARA_CHUNK, YARA_MAX_MATCHES_PER_PATTERN, YARA_TIMEOUT_MS, type YaraScanner } from './yara-scan.ts';

/**
 * Volatility 3's yarascan options (--yara-string, --yara-file, --insensitive, --wide) and memscope's --yara-rules (the
 * rules' text; the CLI reads it from --yara-file PATH). Compiled rules (--yara-compiled-file) are not taken.
 */
export const YARA_OPTIONS: readonly (StrOption | BoolOption | IntOption)[] = [
  {
    name: 'yara-rules',
    type: 'str',
    fromFile: 'yara-file',
    description: 'YARA rules (YARA-X dialect, close to YARA 4); in the CLI also --yara-file PATH',
  },
  { name: 'yara-string', type: 'str', description: 'One pattern: text, {hex bytes} or /regexp/ (instead of rules)' },
  { name: 'insensitive', type: 'bool', default: false, description: 'Match --yara-string regardless of case' },
  { name: 'wide', type: 'bool', default: false, description: 'Match --yara-string as UTF-16 (wide) text too' },
  {
    name: 'yara-timeout',
    type: 'int',
    default: YARA_TIMEOUT_MS / 1000,
    description: `Seconds YARA may take over ${YARA_CHUNK / 2 ** 20} MiB before the scan stops there with a warning (a rule too slow for the data)`,
  },
];

/** The rule --yara-string builds is named as Volatility's is. */
export const STRING_RULE = 'r1';

/** The YARA source the options ask for; BAD_REQUEST when they give none or both kinds. */
export function yaraSource(options: PluginOptions): string {
  const rules = options['yara-rules'];
  const pattern = options['yara-string'];
  if (typeof rules === 'string' && typeof pattern === 'string') {
    throw new YaraCompileError('give either YARA rules (--yara-rules, --yara-file) or --yara-string, not both');
  }
  if (typeof rules === 'string') return rules;
  if (typeof pattern === 'string' && pattern !== '') return stringRule(pattern, options['insensitive'] === true, options['wide'] === true);
  throw new YaraCompileError('no YARA rules given: use --yara-file PATH, --yara-rules TEXT or --yara-string TEXT');
}

/** The limits every YARA scan of memscope's runs with. */
export const YARA_LIMITS: YaraLimits = { maxMatchesPerPattern: YARA_MAX_MATCHES_PER_PATTERN, timeoutMs: YARA_TIMEOUT_MS };

/**
 * The run's YARA: the rules compiled here (their errors come first; the compiler's warnings, slow patterns among them, are
 * the run's), scanning on the host's workers where it has them (PluginContext.yaraOnWorker: a scan that runs past
 * --yara-timeout is stopped), else on this thread. Free it when done.
 */
export async function optionScanner(ctx: Pick<PluginContext, 'options' | 'warn' | 'yaraOnWorker'>): Promise<YaraScanner> {
  const request: YaraRequest = { rules: yaraSource(ctx.options), timeoutMs: yaraTimeoutMs(ctx.options) };
  const rules = await compileYara(request.rules, YARA_LIMITS);
  for (const warning of rules.warnings) ctx.warn({ code: 'UNSUPPORTED', message: `YARA rules: ${warning}` });
  const onWorker = ctx.yaraOnWorker?.(request);
  return {
    request,
    match: onWorker ?? (async (bytes, length) => ({ matches: chunkMatches(rules, bytes, length) })),
    stopped: false,
    free: () => rules.free(),
  };
}

/** --yara-timeout in milliseconds (at least one second). */
export function yaraTimeoutMs(options: PluginOptions): number {
  const seconds = options['yara-timeout'];
  return Math.max(1, typeof seconds === 'number' ? seconds : YARA_TIMEOUT_MS / 1000) * 1000;
}

/** As Volatility builds it: a {hex} or /regexp/ pattern as written, anything else as quoted text. */
function stringRule(pattern: string, insensitive: boolean, wide: boolean): string {
  let text = pattern.startsWith('{') || pattern.startsWith('/') ? pattern : `"${pattern.replace(/[\\"]/g, '\\$&')}"`;
  if (insensitive) text += ' nocase';
  if (wide) text += ' wide ascii';
  return `rule ${STRING_RULE} {\n  strings:\n    $a = ${text}\n  condition:\n    $a\n}\n`;
}
