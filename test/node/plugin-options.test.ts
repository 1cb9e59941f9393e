import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.ts';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { checkOptions, parseOptions } from '../../src/plugins/plugin-options.ts';
import type { OptionSpec, PluginOptions } from '../../src/plugins/plugin.ts';
import { builtinPlugins, findPlugin } from '../../src/plugins/registry.ts';
import { parseOptionValues } from '../../src/ui/option-values.ts';

const pslist = findPlugin('windows.pslist')!;
const notAnInteger = (text: string) => `--pid needs a non-negative integer (decimal or 0x hex), got ${JSON.stringify(text)}`;

/** --pid text → the options it gives, or the message that refuses it. */
const PID_TEXT: readonly (readonly [string, number | string])[] = [
  ['4', 4],
  ['0', 0],
  ['007', 7],
  ['0x1F', 31],
  ['0X1f', 31],
  [' 4 ', 4], // surrounding whitespace is trimmed by both
  ['\t0x10\n', 16],
  ['9007199254740991', 2 ** 53 - 1],
  ['-1', notAnInteger('-1')],
  ['+4', notAnInteger('+4')],
  ['1e3', notAnInteger('1e3')],
  ['0b101', notAnInteger('0b101')],
  ['0o7', notAnInteger('0o7')],
  ['1.5', notAnInteger('1.5')],
  ['4 2', notAnInteger('4 2')],
  ['0x', notAnInteger('0x')],
  ['0x1g', notAnInteger('0x1g')],
  ['Infinity', notAnInteger('Infinity')],
  ['four', notAnInteger('four')],
  ['9007199254740992', notAnInteger('9007199254740992')],
  ['0x20000000000000', notAnInteger('0x20000000000000')],
];

function outcome(parse: () => PluginOptions | string): PluginOptions | string {
  try {
    return parse();
  } catch (e) {
    assert.ok(isMemscopeError(e) && e.code === 'BAD_REQUEST', String(e));
    return e.message;
  }
}

const viaCli = (...args: string[]) => outcome(() => {
  const command = parseCli(['-f', 'memory.raw', 'windows.pslist', ...args], builtinPlugins);
  assert.equal(command.kind, 'run');
  return command.kind === 'run' ? command.options : {};
});
const viaForm = (values: Record<string, boolean | string>) => outcome(() => parseOptionValues(pslist.options, values));

describe('plugin option text: one parser for the CLI and the page', () => {
  for (const [text, expected] of PID_TEXT) {
    it(`--pid ${JSON.stringify(text)}: the same on the command line, in the form and in the shared parser`, () => {
      const want = typeof expected === 'number' ? { pid: expected } : expected;
      assert.deepEqual(outcome(() => parseOptions(pslist.options, { pid: text })), want);
      assert.deepEqual(viaCli(`--pid=${text}`), want);
      assert.deepEqual(viaForm({ pid: text }), want);
    });
  }

  it('refuses an empty --pid on the command line; in the form a blank field leaves the option unset', () => {
    assert.equal(viaCli('--pid='), notAnInteger(''));
    assert.deepEqual(viaForm({ pid: '' }), {});
    assert.deepEqual(viaForm({ pid: '  ' }), {});
  });

  it('passes flags as booleans and refuses text for one', () => {
    assert.deepEqual(viaCli('--physical', '--pid', '0x10'), { physical: true, pid: 16 });
    assert.deepEqual(viaForm({ physical: true, pid: '0x10' }), { physical: true, pid: 16 });
    assert.deepEqual(viaForm({ physical: false }), { physical: false });
    assert.equal(outcome(() => parseOptions(pslist.options, { physical: 'yes' })), '--physical needs true or false, got "yes"');
  });

  it('keeps text options verbatim and ignores names it has no spec for', () => {
    const specs: OptionSpec[] = [{ name: 'name', type: 'str', description: 'a name' }];
    assert.deepEqual(parseOptions(specs, { name: ' a b ', other: 'x' }), { name: ' a b ' });
    assert.equal(outcome(() => parseOptions(specs, { name: true })), '--name needs text, got true');
  });
});

describe('the engine checks the options it is given', () => {
  const refused = (options: PluginOptions) => outcome(() => (checkOptions(pslist.options, options), 'accepted'));

  it('accepts typed values of its options, unset ones included', () => {
    assert.equal(refused({ pid: 4, physical: true }), 'accepted');
    assert.equal(refused({ pid: 2 ** 53 - 1, physical: undefined }), 'accepted');
    assert.equal(refused({}), 'accepted');
  });

  it('refuses unknown names and values of the wrong type or range', () => {
    assert.equal(refused({ pdi: 4 }), 'unknown option --pdi (one of --pid, --physical)');
    assert.equal(outcome(() => (checkOptions([], { pid: 4 }), 'accepted')), 'unknown option --pid (this plugin takes none)');
    assert.equal(refused({ pid: '4' }), notAnInteger('4'));
    for (const pid of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(refused({ pid }), `--pid needs a non-negative integer (decimal or 0x hex), got ${pid}`);
    }
    assert.equal(refused({ physical: 'true' }), '--physical needs true or false, got "true"');
  });

  it('Session.run refuses bad options before it looks for an OS', async () => {
    const noise = new Uint8Array(1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    const session = await openSession(new MemorySource(noise, 'noise.raw'), await createNodeEnv({ symbolDirs: [], cache: false }));
    const codeOf = async (options: PluginOptions): Promise<ErrorCode | 'none'> => {
      try {
        for await (const _ of session.run('windows.pslist', options, {}));
        return 'none';
      } catch (e) {
        assert.ok(isMemscopeError(e), String(e));
        return e.code;
      }
    };
    assert.equal(await codeOf({ pid: -1 }), 'BAD_REQUEST');
    assert.equal(await codeOf({ pid: '4' }), 'BAD_REQUEST');
    assert.equal(await codeOf({ threads: true }), 'BAD_REQUEST');
    assert.equal(await codeOf({ pid: 4, physical: true }), 'OS_NOT_FOUND');
    await session.close();
  });
});
