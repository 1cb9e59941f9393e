import type { BoolOption, PluginContext, PluginOptions, StrOption } from '../api.ts';
import { compileYara, YaraCompileError, type YaraLimits, type YaraRules } from './yara.ts';
import { YARA_MAX_MATCHES_PER_PATTERN, YARA_TIMEOUT_MS } from './yara-scan.ts';

/**
 * Volatility 3's yarascan options (--yara-string, --yara-file, --insensitive, --wide) and memscope's --yara-rules (the
 * rules' text; the CLI reads it from --yara-file PATH). Compiled rules (--yara-compiled-file) are not taken.
 */
export const YARA_OPTIONS: readonly (StrOption | BoolOption)[] = [
  {
    name: 'yara-rules',
    type: 'str',
    fromFile: 'yara-file',
    description: 'YARA rules (YARA-X dialect, close to YARA 4); in the CLI also --yara-file PATH',
  },
  { name: 'yara-string', type: 'str', description: 'One pattern: text, {hex bytes} or /regexp/ (instead of rules)' },
  { name: 'insensitive', type: 'bool', default: false, description: 'Match --yara-string regardless of case' },
  { name: 'wide', type: 'bool', default: false, description: 'Match --yara-string as UTF-16 (wide) text too' },
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

/** The run's rules compiled, with the compiler's warnings (slow patterns, ...) among the run's; free them when done. */
export async function compileOptionRules(ctx: Pick<PluginContext, 'options' | 'warn'>): Promise<YaraRules> {
  const rules = await compileYara(yaraSource(ctx.options), YARA_LIMITS);
  for (const warning of rules.warnings) ctx.warn({ code: 'UNSUPPORTED', message: `YARA rules: ${warning}` });
  return rules;
}

/** As Volatility builds it: a {hex} or /regexp/ pattern as written, anything else as quoted text. */
function stringRule(pattern: string, insensitive: boolean, wide: boolean): string {
  let text = pattern.startsWith('{') || pattern.startsWith('/') ? pattern : `"${pattern.replace(/[\\"]/g, '\\$&')}"`;
  if (insensitive) text += ' nocase';
  if (wide) text += ' wide ascii';
  return `rule ${STRING_RULE} {\n  strings:\n    $a = ${text}\n  condition:\n    $a\n}\n`;
}
