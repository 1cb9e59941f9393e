import { readFileSync } from 'node:fs';
import { MemscopeError } from '../errors.ts';
import type { OptionSpec } from '../plugins/plugin.ts';

/**
 * The command line's values with each `--<fromFile> PATH` of a str option replaced by the file's text under the
 * option's own name (`--yara-file rules.yar` gives `yara-rules` the rules). Giving both is refused.
 */
export function withOptionFiles(specs: readonly OptionSpec[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const spec of specs) {
    if (spec.type !== 'str' || !spec.fromFile) continue;
    const path = values[spec.fromFile];
    if (typeof path !== 'string') continue;
    if (values[spec.name] !== undefined) throw new MemscopeError('BAD_REQUEST', `give --${spec.name} or --${spec.fromFile}, not both`);
    try {
      out[spec.name] = readFileSync(path, 'utf8');
    } catch (e) {
      throw new MemscopeError('READ_FAILED', `cannot read --${spec.fromFile} (${(e as Error).message})`, path);
    }
  }
  return out;
}
