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

/** Form values → plugin options, or a message naming the option whose integer does not parse. */
export function parseOptionValues(specs: readonly OptionSpec[], values: OptionFormValues): PluginOptions | string {
  const options: Record<string, boolean | number | string> = {};
  for (const spec of specs) {
    const value = values[spec.name];
    if (typeof value === 'boolean') {
      options[spec.name] = value;
      continue;
    }
    const text = value?.trim() ?? '';
    if (text === '') continue;
    if (spec.type !== 'int') {
      options[spec.name] = text;
      continue;
    }
    const n = Number(text);
    if (!Number.isSafeInteger(n)) return `${spec.name}: "${text}" is not an integer.`;
    options[spec.name] = n;
  }
  return options;
}
