import { MemscopeError } from '../errors.ts';
import type { OptionSpec, PluginOptions } from './plugin.ts';

/** What the user gave per option name: a flag's state or a value's text (CLI arguments, form fields). */
export type OptionInput = Readonly<Record<string, unknown>>;

const NEEDS: Readonly<Record<OptionSpec['type'], string>> = {
  bool: 'true or false',
  int: 'a non-negative integer (decimal or 0x hex)',
  str: 'text',
};

// Digits or 0x hex only: Number() alone would also take "", signs, exponents, fractions, 0b and 0o.
const INT_TEXT = /^(?:0x[0-9a-f]+|[0-9]+)$/i;

/**
 * Typed options for `specs` from what the user gave (names not in `specs` are ignored): ints from decimal or
 * 0x-hex text, surrounding whitespace trimmed. BAD_REQUEST names the first bad option as the CLI spells it.
 */
export function parseOptions(specs: readonly OptionSpec[], input: OptionInput): PluginOptions {
  const options: Record<string, boolean | number | string> = {};
  for (const spec of specs) {
    const given = input[spec.name];
    if (given === undefined) continue;
    const value = spec.type === 'int' && typeof given === 'string' ? parseInteger(given) : given;
    if (!fits(spec, value)) throw invalid(spec, given);
    options[spec.name] = value;
  }
  return options;
}

/** The engine's check of options from any caller: known names only, each value of its option's type. */
export function checkOptions(specs: readonly OptionSpec[], options: PluginOptions): void {
  for (const [name, value] of Object.entries(options)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const known = specs.length > 0 ? `one of ${specs.map((s) => `--${s.name}`).join(', ')}` : 'this plugin takes none';
      throw new MemscopeError('BAD_REQUEST', `unknown option --${name} (${known})`);
    }
    if (value !== undefined && !fits(spec, value)) throw invalid(spec, value);
  }
}

function parseInteger(text: string): number {
  const trimmed = text.trim();
  return INT_TEXT.test(trimmed) ? Number(trimmed) : NaN;
}

function fits(spec: OptionSpec, value: unknown): value is boolean | number | string {
  switch (spec.type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      // Beyond 2^53 - 1 the number would silently be another one.
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'str':
      return typeof value === 'string';
  }
}

function invalid(spec: OptionSpec, value: unknown): MemscopeError {
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new MemscopeError('BAD_REQUEST', `--${spec.name} needs ${NEEDS[spec.type]}, got ${got}`);
}
