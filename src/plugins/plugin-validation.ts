import valid from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { MemscopeError } from '../errors.ts';
import { osProfiles } from '../os/registry.ts';
import type { PluginDefinition } from './plugin-definition.ts';
import type { Column, ColumnType, RunWarning, WarningCode } from './plugin.ts';
import { isObject } from './row-check.ts';

const COLUMN_TYPES: readonly ColumnType[] = ['int', 'hex', 'str', 'datetime', 'bool', 'bytes'];
const WARNING_CODES: readonly WarningCode[] = ['SMEAR', 'UNREADABLE', 'LIMIT', 'UNSUPPORTED', 'NOT_FOUND'];
const ADDRESS_KINDS = ['physical', 'kernel', 'process'];
const OPTION_TYPES = ['bool', 'int', 'str'];
const OS_NAMES: readonly string[] = osProfiles.map((p) => p.id);
/** Dotted lower-case words, as Volatility names plugins ("windows.pslist", "community.masquerade"). */
const PLUGIN_NAME = /^[a-z][a-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const OPTION_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * A plugin declaration from outside memscope (a third-party module), checked field by field before it is offered:
 * BAD_PLUGIN naming `origin` and every problem found. Returns it typed; its code is not run here.
 */
export function validatePlugin(value: unknown, origin: string): PluginDefinition {
  const problems = declarationProblems(value);
  if (problems.length > 0) throw new MemscopeError('BAD_PLUGIN', `not a valid memscope plugin: ${problems.join('; ')}`, origin);
  return value as PluginDefinition;
}

function declarationProblems(p: unknown): string[] {
  if (!isObject(p)) return ['the module exports no plugin object (export default { name, version, ... })'];
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(typeof p['name'] === 'string' && PLUGIN_NAME.test(p['name']), 'name must be dotted lower-case words, e.g. "community.masquerade"');
  need(typeof p['version'] === 'string' && valid(p['version']) !== null, 'version must be a semantic version, e.g. "1.0.0"');
  need(typeof p['description'] === 'string' && p['description'].trim() !== '', 'description must be a line of text');
  need(typeof p['tree'] === 'boolean', 'tree must be true or false');
  need(typeof p['run'] === 'function', 'run must be an async generator function yielding rows');
  const requirements = p['requirements'];
  if (!Array.isArray(requirements)) problems.push('requirements must be a list (empty when the plugin needs nothing)');
  else
    requirements.forEach((r, i) =>
      need(
        isRequirement(r),
        `requirements[${i}] must be { kind: 'kernel', os: ${OS_NAMES.map((os) => `'${os}'`).join(' | ')}, discoveredSymbols?: boolean } or { kind: 'plugin', name, version: semver range }`,
      ),
    );
  const columns = p['columns'];
  if (!Array.isArray(columns) || columns.length === 0) problems.push('columns must be a non-empty list of { name, type }');
  else {
    columns.forEach((c, i) => need(isColumn(c), `columns[${i}] must be { name, type: ${COLUMN_TYPES.join(' | ')} } (address only on hex columns)`));
    const names = columns.filter(isColumn).map((c) => c.name);
    need(new Set(names).size === names.length, 'column names must be unique');
    const domainColumn = p['domainColumn'];
    need(
      domainColumn === undefined || columns.some((c) => isColumn(c) && c.name === domainColumn && c.type === 'str'),
      'domainColumn must name one of the str columns',
    );
  }
  const options = p['options'];
  if (!Array.isArray(options)) problems.push('options must be a list (empty when the plugin takes none)');
  else
    options.forEach((o, i) =>
      need(
        isOption(o),
        `options[${i}] must be { name: lower-case-dashed, type: bool | int | str, description } with a default of that type (choices: distinct texts on a str option, the default among them; multiple: int or str only; fromFile: a lower-case-dashed name on a str option without choices or multiple)`,
      ),
    );
  return problems;
}

function isRequirement(r: unknown): boolean {
  if (!isObject(r)) return false;
  if (r['kind'] === 'kernel')
    return OS_NAMES.includes(r['os'] as string) && (r['discoveredSymbols'] === undefined || typeof r['discoveredSymbols'] === 'boolean');
  return r['kind'] === 'plugin' && typeof r['name'] === 'string' && typeof r['version'] === 'string' && validRange(r['version']) !== null;
}

function isColumn(c: unknown): c is Column {
  if (!isObject(c) || typeof c['name'] !== 'string' || c['name'] === '' || !COLUMN_TYPES.includes(c['type'] as ColumnType)) return false;
  return c['address'] === undefined || (c['type'] === 'hex' && ADDRESS_KINDS.includes(c['address'] as string));
}

function isOption(o: unknown): boolean {
  if (!isObject(o) || typeof o['name'] !== 'string' || !OPTION_NAME.test(o['name']) || typeof o['description'] !== 'string') return false;
  if (!OPTION_TYPES.includes(o['type'] as string)) return false;
  if (o['multiple'] !== undefined && (o['type'] === 'bool' || typeof o['multiple'] !== 'boolean')) return false;
  const choices = o['choices'];
  if (choices !== undefined && !(o['type'] === 'str' && isChoiceList(choices))) return false;
  const fromFile = o['fromFile'];
  if (fromFile !== undefined && !(o['type'] === 'str' && typeof fromFile === 'string' && OPTION_NAME.test(fromFile) && !o['multiple'] && !choices))
    return false;
  const expected = o['type'] === 'bool' ? 'boolean' : o['type'] === 'int' ? 'number' : 'string';
  return (
    o['default'] === undefined ||
    (typeof o['default'] === expected && (choices === undefined || (choices as string[]).includes(o['default'] as string)))
  );
}

function isChoiceList(c: unknown): boolean {
  return Array.isArray(c) && c.length > 0 && c.every((v) => typeof v === 'string') && new Set(c).size === c.length;
}

/** Whether a third-party plugin's ctx.warn argument is a warning the engine can keep. */
export function isRunWarning(w: unknown): w is RunWarning {
  return (
    isObject(w) &&
    WARNING_CODES.includes(w['code'] as WarningCode) &&
    typeof w['message'] === 'string' &&
    (w['address'] === undefined || (typeof w['address'] === 'string' && /^0x[0-9a-f]+$/i.test(w['address'])))
  );
}
