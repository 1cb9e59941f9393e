import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requirementsError, unmetRequirements, type KernelCheck } from '../../src/engine/requirements.ts';
import { MemscopeError } from '../../src/errors.ts';
import type { PluginDefinition, Requirement } from '../../src/plugins/plugin-definition.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { collect, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

/** A plugin that only declares; `ran` records whether the engine let it start. */
function declared(
  name: string,
  requirements: readonly Requirement[],
  version = '1.0.0',
  run?: PluginDefinition['run'],
): PluginDefinition & { ran: boolean } {
  const plugin = {
    name,
    version,
    description: `${name} (test)`,
    requirements,
    columns: [{ name: 'Value', type: 'str' }] as const,
    options: [],
    tree: false,
    ran: false,
    async *run(ctx: Parameters<PluginDefinition['run']>[0]): AsyncGenerator<PluginRow> {
      plugin.ran = true;
      if (run) yield* run(ctx);
    },
  };
  return plugin;
}

const windowsReady: KernelCheck = (os) =>
  os === 'windows'
    ? undefined
    : { reason: 'needs a Linux kernel: this is a Windows image', error: new MemscopeError('OS_NOT_FOUND', 'this is a Windows image') };
const reasons = (plugin: PluginDefinition, plugins: readonly PluginDefinition[], kernel = windowsReady) =>
  unmetRequirements(plugin, plugins, kernel).map((u) => u.reason);

describe('plugin requirements', () => {
  const base = declared('t.base', [{ kind: 'kernel', os: 'windows' }], '1.4.2');

  it('are met by the ready kernel and a dependency in the declared semver range', () => {
    assert.deepEqual(reasons(declared('t.user', [{ kind: 'plugin', name: 't.base', version: '^1.2.0' }]), [base]), []);
    assert.deepEqual(reasons(declared('t.user', [{ kind: 'plugin', name: 't.base', version: '>=1 <2' }]), [base]), []);
  });

  it('name every unmet one at once: kernel, missing plugin, wrong version, and what a dependency lacks', () => {
    const linuxBase = declared('t.linuxbase', [{ kind: 'kernel', os: 'linux' }]);
    const user = declared('t.user', [
      { kind: 'kernel', os: 'linux' },
      { kind: 'plugin', name: 't.absent', version: '^1' },
      { kind: 'plugin', name: 't.base', version: '^2.0.0' },
      { kind: 'plugin', name: 't.linuxbase', version: '^1' },
    ]);
    assert.deepEqual(reasons(user, [base, linuxBase, user]), [
      'needs a Linux kernel: this is a Windows image', // once, though t.linuxbase needs it too
      'needs plugin t.absent ^1, which is not installed',
      'needs plugin t.base ^2.0.0; installed is 1.4.2',
    ]);
    const error = requirementsError(user, unmetRequirements(user, [base, linuxBase, user], windowsReady));
    assert.equal(error.code, 'OS_NOT_FOUND');
    assert.equal(
      error.message,
      't.user cannot run here: needs a Linux kernel: this is a Windows image; needs plugin t.absent ^1, which is not installed; needs plugin t.base ^2.0.0; installed is 1.4.2',
    );
  });

  it('a single unmet requirement keeps its own error (e.g. the missing symbols with where to get them)', () => {
    const own = new MemscopeError('SYMBOLS_MISSING', 'Symbols needed: ntkrnlmp.pdb ...');
    const kernel: KernelCheck = () => ({ reason: 'needs the symbol table', error: own });
    const p = declared('t.p', [{ kind: 'kernel', os: 'windows' }]);
    assert.equal(requirementsError(p, unmetRequirements(p, [p], kernel)), own);
  });

  it('a dependency cycle is unmet, not a hang; diamonds are visited once', () => {
    const a = declared('t.a', [{ kind: 'plugin', name: 't.b', version: '^1' }]);
    const b = declared('t.b', [{ kind: 'plugin', name: 't.a', version: '^1' }]);
    assert.deepEqual(reasons(a, [a, b]), ['requirement cycle: t.a → t.b → t.a']);
    const leaf = declared('t.leaf', [{ kind: 'kernel', os: 'linux' }]);
    const left = declared('t.left', [{ kind: 'plugin', name: 't.leaf', version: '^1' }]);
    const right = declared('t.right', [{ kind: 'plugin', name: 't.leaf', version: '^1' }]);
    const top = declared('t.top', [
      { kind: 'plugin', name: 't.left', version: '^1' },
      { kind: 'plugin', name: 't.right', version: '^1' },
    ]);
    let checks = 0;
    const counting: KernelCheck = (os, discovered) => (checks++, windowsReady(os, discovered));
    assert.deepEqual(reasons(top, [top, left, right, leaf], counting), ['needs a Linux kernel: this is a Windows image']);
    assert.equal(checks, 1);
  });

  it('a version that is not semver never satisfies a range', () => {
    const odd = declared('t.odd', [], 'latest');
    assert.deepEqual(reasons(declared('t.user', [{ kind: 'plugin', name: 't.odd', version: '*' }]), [odd]), [
      'needs plugin t.odd *; installed is latest',
    ]);
  });
});

describe('the engine checks requirements before a plugin runs (generated Windows 10 image)', () => {
  const image = async () => (await windowsImage({ size: 16 * 1024 * 1024, seed: 41 })).image;

  const needsNoKernel = (p: PluginDefinition) => !p.requirements.some((r) => r.kind === 'kernel');

  it('without the kernel symbol table, plugins that need it list why and are not started; those fine with a discovered table run', async () => {
    const { expected } = await windowsImage({ size: 16 * 1024 * 1024, seed: 41 });
    const probe = declared('t.probe', [{ kind: 'kernel', os: 'windows' }]);
    const light = declared('t.light', [{ kind: 'kernel', os: 'windows', discoveredSymbols: true }]);
    const session = await openWindowsSession(await image(), { symbolDirs: [], plugins: [...builtinPlugins, probe, light] });
    const table = `${expected.kernel.pdb.name}/${expected.kernel.pdb.guid}-${expected.kernel.pdb.age}`;
    const listed = session.plugins();
    assert.deepEqual(
      listed.map((p) => p.name),
      [...builtinPlugins.filter((p) => p.name.startsWith('windows.') || needsNoKernel(p)).map((p) => p.name), 't.probe', 't.light'],
    );
    // A plugin that needs no kernel (yarascan.yarascan) is as fine as one a discovered table serves.
    const discoveredOk = (name: string) => {
      const plugin = [...builtinPlugins, probe, light].find((p) => p.name === name)!;
      return needsNoKernel(plugin) || plugin.requirements.some((r) => r.kind === 'kernel' && r.discoveredSymbols === true);
    };
    assert.ok(listed.filter((p) => discoveredOk(p.name)).length >= 5);
    for (const p of listed) {
      const unmet = discoveredOk(p.name) ? [] : [`needs the symbol table ${table} (memscope found only the process structures in the image)`];
      assert.deepEqual(p.unmet, unmet, p.name);
    }
    await rejectsWith(collect(session, 't.probe'), 'SYMBOLS_MISSING', expected.kernel.pdb.guid);
    assert.equal(probe.ran, false);
    await collect(session, 't.light');
    assert.equal(light.ran, true);
  });

  it('a plugin reads a declared dependency’s rows by column name; an undeclared one is refused', async () => {
    const { expected } = await windowsImage({ size: 16 * 1024 * 1024, seed: 41 });
    const names = declared('t.names', [{ kind: 'plugin', name: 'windows.pslist', version: '^1' }], '1.0.0', async function* (ctx) {
      for await (const r of ctx.runPlugin('windows.pslist')) yield { depth: 0, values: [`${r.cells['PID']}:${r.cells['ImageFileName']}`] };
    });
    const sneaky = declared('t.sneaky', [{ kind: 'kernel', os: 'windows' }], '1.0.0', async function* (ctx) {
      for await (const r of ctx.runPlugin('windows.pslist')) yield { depth: 0, values: [String(r.cells['PID'])] };
    });
    const tooNew = declared('t.new', [{ kind: 'plugin', name: 'windows.pslist', version: '^2' }]);
    const session = await openWindowsSession(await image(), { plugins: [...builtinPlugins, names, sneaky, tooNew] });
    const rows = await collect(session, 't.names');
    const linked = expected.processes.filter((p) => p.linked);
    assert.deepEqual(
      rows.map((r) => r.values[0]),
      linked.map((p) => `${p.pid}:${p.name}`),
    );
    await rejectsWith(
      collect(session, 't.sneaky'),
      'BAD_REQUEST',
      't.sneaky reads plugin windows.pslist without declaring it among its requirements',
    );
    assert.deepEqual(session.plugins().find((p) => p.name === 't.new')?.unmet, ['needs plugin windows.pslist ^2; installed is 1.0.0']);
    await rejectsWith(collect(session, 't.new'), 'REQUIREMENTS_UNMET', 'installed is 1.0.0');
    assert.equal(tooNew.ran, false);
  });
});
