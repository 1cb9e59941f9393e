import { MemscopeError } from '../errors.ts';
import type { IntOption, OptionSpec, OptionValue, PluginOptions, StrOption } from './plugin.ts';

/** What the user gave per option name: a flag's state or a value's text (CLI arguments, form fields). */
export type OptionInput = Readonly<Record<string, unknown>>;

type ListOption = (IntOption | StrOption) & { readonly multiple: true };
type Scalar = boolean | number | string;

const NEEDS: Readonly<Record<OptionSpec['type'], string>> = {
  bool: 'true or false',
  int: 'a non-negative integer (decimal or 0x hex)',
  str: 'text',
};

// Digits or 0x hex only: Number() alone would also take "", signs, exponents, fractions, 0b and 0o.
const INT_TEXT = /^(?:0x[0-9a-f]+|[0-9]+)$/i;

// Where one text holds several values: integers part at commas or whitespace ("4, 8", "4 8"); text only at
// commas, so that a value may hold spaces.
const LIST_SEPARATOR: Readonly<Record<ListOption['type'], RegExp>> = { int: /[\s,]+/, str: /,/ };

/** The option takes several values, and its value is an array. */
export function isMultiple(spec: OptionSpec): spec is ListOption {
  return spec.type !== 'bool' && spec.multiple === true;
}

/**
 * Typed options for `specs` from what the user gave (names not in `specs` are ignored): ints from decimal or
 * 0x-hex text, surrounding whitespace trimmed. A `multiple` option takes one text or several (a repeated CLI
 * flag), each holding one value or more separated as LIST_SEPARATOR says; its value is the array of them,
 * repeats dropped. BAD_REQUEST names the first bad option as the CLI spells it.
 */
export function parseOptions(specs: readonly OptionSpec[], input: OptionInput): PluginOptions {
  const options: Record<string, OptionValue> = {};
  for (const spec of specs) {
    const given = input[spec.name];
    if (given === undefined) continue;
    options[spec.name] = isMultiple(spec) ? parseList(spec, given) : parseValue(spec, given);
  }
  return options;
}

/**
 * The engine's check of options from any caller: known names only, each value of its option's type (one of
 * its choices), a non-empty array of them for a `multiple` option. Nothing is converted: a plugin reads one
 * shape per option, so a lone value where an array belongs (or the reverse) is refused.
 */
export function checkOptions(specs: readonly OptionSpec[], options: PluginOptions): void {
  for (const [name, value] of Object.entries(options) as [string, unknown][]) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const known = specs.length > 0 ? `one of ${specs.map((s) => `--${s.name}`).join(', ')}` : 'this plugin takes none';
      throw new MemscopeError('BAD_REQUEST', `unknown option --${name} (${known})`);
    }
    if (value === undefined) continue;
    if (!isMultiple(spec)) {
      if (!fits(spec, value)) throw invalid(spec, value);
      continue;
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new MemscopeError('BAD_REQUEST', `--${spec.name} needs a list of values, each ${needs(spec)}, got ${shown(value)}`);
    }
    for (const item of value as unknown[]) if (!fits(spec, item)) throw invalid(spec, item);
  }
}

function parseValue(spec: OptionSpec, given: unknown): Scalar {
  const value = spec.type === 'int' && typeof given === 'string' ? parseInteger(given) : given;
  if (!fits(spec, value)) throw invalid(spec, given);
  return value;
}

function parseList(spec: ListOption, given: unknown): readonly number[] | readonly string[] {
  const texts: unknown[] = Array.isArray(given) ? given : [given];
  const items = texts.flatMap((t) => (typeof t === 'string' ? splitList(spec, t) : [t]));
  // Every item passed fits(spec), so all are of the spec's one type.
  return [...new Set(items.map((item) => parseValue(spec, item)))] as readonly number[] | readonly string[];
}

function splitList(spec: ListOption, text: string): string[] {
  const items = text
    .split(LIST_SEPARATOR[spec.type])
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw invalid(spec, text);
  return items;
}

function parseInteger(text: string): number {
  const trimmed = text.trim();
  return INT_TEXT.test(trimmed) ? Number(trimmed) : NaN;
}

function fits(spec: OptionSpec, value: unknown): value is Scalar {
  switch (spec.type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      // Beyond 2^53 - 1 the number would silently be another one.
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'str':
      return typeof value === 'string' && (spec.choices === undefined || spec.choices.includes(value));
  }
}

/** What one value of the option must be, as the messages say it. */
function needs(spec: OptionSpec): string {
  return spec.type === 'str' && spec.choices ? `one of ${spec.choices.map(shown).join(', ')}` : NEEDS[spec.type];
}

function invalid(spec: OptionSpec, value: unknown): MemscopeError {
  return new MemscopeError('BAD_REQUEST', `--${spec.name} needs ${needs(spec)}, got ${shown(value)}`);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  return String(value);
}
