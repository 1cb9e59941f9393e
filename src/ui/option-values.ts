import { isMemscopeError } from '../errors.ts';
import { parseOptions } from '../plugins/plugin-options.ts';
import type { OptionSpec, PluginOptions } from '../plugins/plugin.ts';

/** What an options form holds: checkbox states and the text typed. */
export type OptionFormValues = Readonly<Record<string, boolean | string>>;

export function defaultOptionValues(specs: readonly OptionSpec[]): OptionFormValues {
  const values: Record<string, boolean | string> = {};
  for (const spec of specs) {
    if (spec.default !== undefined) values[spec.name] = typeof spec.default === 'boolean' ? spec.default : String(spec.default);
  }
  return values;
}

/**
 * Form values → plugin options as the CLI parses them, or the CLI's message. A blank text field (or a <select> left
 * at its blank entry) is an unset option; a `multiple` option's one field holds all its values ("4, 8").
 */
export function parseOptionValues(specs: readonly OptionSpec[], values: OptionFormValues): PluginOptions | string {
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'boolean' || v.trim() !== ''));
  try {
    return parseOptions(specs, given);
  } catch (e) {
    if (isMemscopeError(e)) return e.message;
    throw e;
  }
}
