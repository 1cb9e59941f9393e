import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpText, parseCli } from '../../src/cli/args.ts';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { checkOptions, parseOptions } from '../../src/plugins/plugin-options.ts';
import { validatePlugin } from '../../src/plugins/plugin-validation.ts';
import type { PluginDefinition } from '../../src/plugins/plugin-definition.ts';
import type { OptionSpec, PluginOptions } from '../../src/plugins/plugin.ts';
import { builtinPlugins, findPlugin } from '../../src/plugins/registry.ts';
import { parseOptionValues } from '../../src/ui/option-values.ts';

const pslist = findPlugin('windows.pslist')!;
const notAnInteger = (text: string) => `--pid needs a non-negative integer (decimal or 0x hex), got ${JSON.stringify(text)}`;

/** --pid text → the PIDs it gives, or the message that refuses it. */
const PID_TEXT: readonly (readonly [string, readonly number[] | string])[] = [
  ['4', [4]],
  ['0', [0]],
  ['007', [7]],
  ['0x1F', [31]],
  ['0X1f', [31]],
  [' 4 ', [4]], // surrounding whitespace is trimmed by both
  ['\t0x10\n', [16]],
  ['9007199254740991', [2 ** 53 - 1]],
  // --pid takes several PIDs: separated by commas or whitespace, repeats dropped.
  ['4 2', [4, 2]],
  ['4, 8', [4, 8]],
  ['4,8', [4, 8]],
  [',4,,\t8,', [4, 8]],
  ['0x10, 16, 4', [16, 4]],
  ['4, x', notAnInteger('x')],
  [', ', notAnInteger(', ')],
  ['-1', notAnInteger('-1')],
  ['+4', notAnInteger('+4')],
  ['1e3', notAnInteger('1e3')],
  ['0b101', notAnInteger('0b101')],
  ['0o7', notAnInteger('0o7')],
  ['1.5', notAnInteger('1.5')],
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

/** A plugin taking every kind of option there is; it never runs. */
const optionsPlugin: PluginDefinition = {
  ...pslist,
  name: 'test.options',
  options: [
    { name: 'proto', type: 'str', choices: ['tcp', 'udp', 'unix domain'], description: 'one protocol' },
    { name: 'family', type: 'str', choices: ['inet', 'inet6'], multiple: true, description: 'address families' },
    { name: 'comm', type: 'str', multiple: true, description: 'process names' },
  ],
};

const viaCliOf =
  (plugin: PluginDefinition) =>
  (...args: string[]) =>
    outcome(() => {
      const command = parseCli(['-f', 'memory.raw', plugin.name, ...args], [...builtinPlugins, optionsPlugin]);
      assert.equal(command.kind, 'run');
      return command.kind === 'run' ? command.options : {};
    });
const viaFormOf = (plugin: PluginDefinition) => (values: Record<string, boolean | string>) =>
  outcome(() => parseOptionValues(plugin.options, values));
const viaCli = viaCliOf(pslist);
const viaForm = viaFormOf(pslist);

describe('plugin option text: one parser for the CLI and the page', () => {
  for (const [text, expected] of PID_TEXT) {
    it(`--pid ${JSON.stringify(text)}: the same on the command line, in the form and in the shared parser`, () => {
      const want = typeof expected === 'string' ? expected : { pid: expected };
      assert.deepEqual(
        outcome(() => parseOptions(pslist.options, { pid: text })),
        want,
      );
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
    assert.deepEqual(viaCli('--physical', '--pid', '0x10'), { physical: true, pid: [16] });
    assert.deepEqual(viaForm({ physical: true, pid: '0x10' }), { physical: true, pid: [16] });
    assert.deepEqual(viaForm({ physical: false }), { physical: false });
    assert.equal(
      outcome(() => parseOptions(pslist.options, { physical: 'yes' })),
      '--physical needs true or false, got "yes"',
    );
  });

  it('keeps text options verbatim and ignores names it has no spec for', () => {
    const specs: OptionSpec[] = [{ name: 'name', type: 'str', description: 'a name' }];
    assert.deepEqual(parseOptions(specs, { name: ' a b ', other: 'x' }), { name: ' a b ' });
    assert.equal(
      outcome(() => parseOptions(specs, { name: true })),
      '--name needs text, got true',
    );
  });

  it('--pid given several times on the command line is what the form takes as one list', () => {
    assert.deepEqual(viaCli('--pid', '4', '--pid', '8'), { pid: [4, 8] });
    assert.deepEqual(viaCli('--pid=4', '--pid', '0x8', '--physical'), { pid: [4, 8], physical: true });
    assert.deepEqual(viaForm({ pid: '4, 0x8' }), { pid: [4, 8] });
    assert.deepEqual(viaForm({ pid: '4 8' }), { pid: [4, 8] });
    // One text on the command line may hold several PIDs as the form's does, and repeats are harmless.
    assert.deepEqual(viaCli('--pid', '4,8', '--pid', '8', '--pid', '4'), { pid: [4, 8] });
    assert.deepEqual(viaForm({ pid: '4, 4' }), { pid: [4] });
    assert.equal(viaCli('--pid', '4', '--pid', 'eight'), notAnInteger('eight'));
    assert.equal(viaCli('--pid', '4', '--pid='), notAnInteger(''));
  });

  it('takes a choice only from its list, the same on the command line and in the form', () => {
    const cli = viaCliOf(optionsPlugin);
    const form = viaFormOf(optionsPlugin);
    const refusal = (got: string) => `--proto needs one of "tcp", "udp", "unix domain", got ${JSON.stringify(got)}`;
    for (const [given, want] of [
      ['udp', { proto: 'udp' }],
      ['unix domain', { proto: 'unix domain' }],
      ['icmp', refusal('icmp')],
      ['UDP', refusal('UDP')],
      ['udp ', refusal('udp ')],
      ['tcp,udp', refusal('tcp,udp')],
    ] as const) {
      assert.deepEqual(cli('--proto', given), want, given);
      assert.deepEqual(form({ proto: given }), want, given);
    }
  });

  it('takes several choices or texts for a multiple text option, split at commas only', () => {
    const cli = viaCliOf(optionsPlugin);
    const form = viaFormOf(optionsPlugin);
    assert.deepEqual(cli('--family', 'inet6', '--family', 'inet', '--family', 'inet6'), { family: ['inet6', 'inet'] });
    assert.deepEqual(form({ family: 'inet6, inet, inet6' }), { family: ['inet6', 'inet'] });
    assert.equal(cli('--family', 'inet', '--family', 'ipx'), '--family needs one of "inet", "inet6", got "ipx"');
    assert.equal(form({ family: 'inet ipx' }), '--family needs one of "inet", "inet6", got "inet ipx"');
    assert.deepEqual(cli('--comm', 'Web Content', '--comm', 'sshd,bash'), { comm: ['Web Content', 'sshd', 'bash'] });
    assert.deepEqual(form({ comm: 'Web Content, sshd,bash' }), { comm: ['Web Content', 'sshd', 'bash'] });
  });

  it('the command-line help lists choices and says which options repeat', () => {
    const help = helpText([pslist, optionsPlugin]);
    assert.match(help, /^ {6}--pid N +Only the processes with these PIDs \(repeatable; values may also be comma-separated\)$/m);
    assert.match(help, /^ {6}--physical +Display physical offsets instead of virtual$/m);
    assert.match(help, /^ {6}--proto \{tcp,udp,unix domain\} +one protocol$/m);
    assert.match(help, /^ {6}--family \{inet,inet6\} +address families \(repeatable; values may also be comma-separated\)$/m);
    assert.match(help, /^ {6}--comm TEXT +process names \(repeatable/m);
  });
});

describe('the engine checks the options it is given', () => {
  const refused = (options: PluginOptions) => outcome(() => (checkOptions(pslist.options, options), 'accepted'));

  it('accepts typed values of its options, unset ones included', () => {
    assert.equal(refused({ pid: [4], physical: true }), 'accepted');
    assert.equal(refused({ pid: [2 ** 53 - 1, 0, 4, 4], physical: undefined }), 'accepted');
    assert.equal(refused({}), 'accepted');
  });

  it('refuses unknown names and values of the wrong type or range', () => {
    assert.equal(refused({ pdi: 4 }), 'unknown option --pdi (one of --pid, --physical, --dump)');
    assert.equal(
      outcome(() => (checkOptions([], { pid: 4 }), 'accepted')),
      'unknown option --pid (this plugin takes none)',
    );
    assert.equal(refused({ pid: ['4'] }), notAnInteger('4'));
    for (const pid of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(refused({ pid: [4, pid] }), `--pid needs a non-negative integer (decimal or 0x hex), got ${pid}`);
    }
    assert.equal(refused({ physical: 'true' }), '--physical needs true or false, got "true"');
  });

  it('takes one shape per option: a list where the option is multiple, a single value elsewhere', () => {
    const list = (got: string) => `--pid needs a list of values, each a non-negative integer (decimal or 0x hex), got ${got}`;
    assert.equal(refused({ pid: 4 }), list('4'));
    assert.equal(refused({ pid: '4' }), list('"4"'));
    assert.equal(refused({ pid: [] }), list('[]'));
    // Not even a PluginOptions: what an untyped caller (the worker boundary) could send.
    assert.equal(refused({ physical: [true] } as unknown as PluginOptions), '--physical needs true or false, got [true]');
    const check = (options: PluginOptions) => outcome(() => (checkOptions(optionsPlugin.options, options), 'accepted'));
    assert.equal(check({ proto: 'unix domain', family: ['inet6', 'inet6'], comm: ['a b'] }), 'accepted');
    assert.equal(check({ proto: ['tcp'] }), '--proto needs one of "tcp", "udp", "unix domain", got ["tcp"]');
    assert.equal(check({ proto: 'icmp' }), '--proto needs one of "tcp", "udp", "unix domain", got "icmp"');
    assert.equal(check({ family: ['inet', 'ipx'] }), '--family needs one of "inet", "inet6", got "ipx"');
    assert.equal(check({ family: 'inet' }), '--family needs a list of values, each one of "inet", "inet6", got "inet"');
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
    assert.equal(await codeOf({ pid: [-1] }), 'BAD_REQUEST');
    assert.equal(await codeOf({ pid: ['4'] }), 'BAD_REQUEST');
    assert.equal(await codeOf({ pid: 4 }), 'BAD_REQUEST');
    assert.equal(await codeOf({ threads: true }), 'BAD_REQUEST');
    assert.equal(await codeOf({ pid: [4, 8], physical: true }), 'OS_NOT_FOUND');
    await session.close();
  });
});

describe('a third-party plugin declares choices and multiple values only where they mean something', () => {
  const declared = (option: object): string => {
    try {
      const plugin = {
        name: 'community.options',
        version: '1.0.0',
        description: 'takes one option',
        requirements: [],
        tree: false,
        columns: [{ name: 'A', type: 'int' }],
        options: [{ name: 'x', description: 'an option', ...option }],
        async *run() {},
      };
      validatePlugin(plugin, 'mine.mjs');
      return 'accepted';
    } catch (e) {
      assert.ok(isMemscopeError(e) && e.code === 'BAD_PLUGIN', String(e));
      return 'refused';
    }
  };

  it('accepts choices on a text option (the default among them) and multiple on integers and text', () => {
    assert.equal(declared({ type: 'str', choices: ['tcp', 'udp'], default: 'udp' }), 'accepted');
    assert.equal(declared({ type: 'str', choices: ['tcp', 'udp'], multiple: true }), 'accepted');
    assert.equal(declared({ type: 'int', multiple: true }), 'accepted');
    assert.equal(declared({ type: 'int', multiple: false }), 'accepted');
  });

  it('refuses choices elsewhere or malformed, and multiple on a flag', () => {
    for (const option of [
      { type: 'int', choices: ['1', '2'] },
      { type: 'str', choices: [] },
      { type: 'str', choices: 'tcp,udp' },
      { type: 'str', choices: ['tcp', 4] },
      { type: 'str', choices: ['tcp', 'tcp'] },
      { type: 'str', choices: ['tcp', 'udp'], default: 'icmp' },
      { type: 'bool', multiple: true },
      { type: 'int', multiple: 'yes' },
    ]) {
      assert.equal(declared(option), 'refused', JSON.stringify(option));
    }
  });
});
