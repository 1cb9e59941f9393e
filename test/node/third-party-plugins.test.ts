import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadPluginDirs } from '../../src/cli/plugin-dirs.ts';
import type { PluginDefinition } from '../../src/plugins/plugin-definition.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { MAX_URL_LENGTH } from '../../src/worker/plugin-sandbox-client.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { collect, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const EXAMPLES = fileURLToPath(new URL('../plugins/', import.meta.url));
const IMAGE = { size: 16 * 1024 * 1024, seed: 51 };

async function examplePlugin(): Promise<PluginDefinition> {
  const { plugins, problems } = await loadPluginDirs([EXAMPLES], builtinPlugins);
  assert.deepEqual(problems, []);
  const masquerade = plugins.find((p) => p.name === 'community.masquerade');
  assert.ok(masquerade, 'the example plugin loads');
  return masquerade;
}

/** A stand-in for windows.psscan with hand-written rows, to reach every branch of the example. */
function psscanRows(rows: readonly [pid: number, ppid: number, name: string][]): PluginDefinition {
  return {
    name: 'windows.psscan',
    version: '1.3.0',
    description: 'test rows',
    requirements: [],
    columns: [
      { name: 'PID', type: 'int' },
      { name: 'PPID', type: 'int' },
      { name: 'ImageFileName', type: 'str' },
    ],
    options: [],
    tree: false,
    async *run() {
      for (const values of rows) yield { depth: 0, values };
    },
  };
}

describe('the example third-party plugin (test/plugins/masquerade.mjs)', () => {
  it("is offered with where it came from, and finds the generator's look-alike svch0st.exe (hidden: psscan sees it)", async () => {
    const plugin = await examplePlugin();
    assert.equal(plugin.origin, join(EXAMPLES, 'masquerade.mjs'));
    const { image, expected } = await windowsImage(IMAGE);
    const session = await openWindowsSession(image, { plugins: [...builtinPlugins, plugin] });
    assert.deepEqual(session.plugins().find((p) => p.name === 'community.masquerade')?.unmet, []);
    const rows = (await collect(session, 'community.masquerade')).map((r) => r.values);
    const planted = expected.processes.filter((p) => p.name === 'svch0st.exe');
    assert.equal(planted.length, 1);
    assert.deepEqual(
      rows,
      planted.map((p) => [p.pid, p.ppid, 'svch0st.exe', 'cmd.exe', 'imitates svchost.exe']),
    );
  });

  it('flags look-alike names and system binaries under the wrong parent, not the real ones', async () => {
    const plugin = await examplePlugin();
    const stub = psscanRows([
      [4, 0, 'System'],
      [500, 400, 'wininit.exe'],
      [600, 500, 'services.exe'],
      [650, 500, 'lsass.exe'],
      [700, 600, 'svchost.exe'],
      [710, 600, 'csrss.exe'], // two letters from lsass.exe, but a system binary itself
      [900, 880, 'explorer.exe'],
      [910, 900, 'lsass.exe'],
      [920, 900, 'scvhost.exe'],
      [930, 900, 'lsas.exe'],
    ]);
    const { image } = await windowsImage(IMAGE);
    const session = await openWindowsSession(image, { plugins: [...builtinPlugins.filter((p) => p.name !== 'windows.psscan'), stub, plugin] });
    assert.deepEqual(
      (await collect(session, 'community.masquerade')).map((r) => r.values),
      [
        [910, 900, 'lsass.exe', 'explorer.exe', 'lsass.exe started by explorer.exe (expected wininit.exe)'],
        [920, 900, 'scvhost.exe', 'explorer.exe', 'imitates svchost.exe'],
        [930, 900, 'lsas.exe', 'explorer.exe', 'imitates lsass.exe'],
      ],
    );
    // Its option: no edits allowed, no look-alikes.
    assert.deepEqual(
      (await collect(session, 'community.masquerade', { distance: 0 })).map((r) => r.values[2]),
      ['lsass.exe'],
    );
  });
});

describe('third-party plugins that are broken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-plugins-'));
  const declaration = (name: string, run: string) => `export default {
  name: '${name}', version: '1.0.0', description: 'test', requirements: [], tree: false, options: [],
  columns: [{ name: 'PID', type: 'int' }, { name: 'Name', type: 'str' }],
  async *run(ctx) { ${run} },
};\n`;
  writeFileSync(join(dir, 'a-syntax.mjs'), 'export default { name: "x.y", ');
  writeFileSync(
    join(dir, 'b-invalid.mjs'),
    "export default { name: 'Bad Name', version: 'one', description: '', requirements: [{ kind: 'kernel', os: 'macos' }], columns: [], options: [], tree: 'no' };\n",
  );
  writeFileSync(join(dir, 'c-taken.mjs'), declaration('windows.pslist', ''));
  writeFileSync(join(dir, 'd-throws.mjs'), declaration('test.throws', "yield { depth: 0, values: [1, 'one'] }; null.boom;"));
  writeFileSync(join(dir, 'e-badrow.mjs'), declaration('test.badrow', "yield { depth: 0, values: ['4', 'System'] };"));
  writeFileSync(join(dir, 'f-short.mjs'), declaration('test.short', 'yield { depth: 0, values: [4] };'));
  writeFileSync(
    join(dir, 'g-good.mjs'),
    declaration('test.good', "ctx.warn({ code: 'LIMIT', message: 'stopped early', address: '0x1000' }); yield { depth: 0, values: [4, 'System'] };"),
  );
  writeFileSync(join(dir, 'h-warns.mjs'), declaration('test.warns', "ctx.warn('plain text');"));
  writeFileSync(join(dir, 'notes.txt'), 'not a module');

  it('a module that does not load, an invalid declaration or a taken name is a problem named by file; the rest load', async () => {
    const { plugins, problems } = await loadPluginDirs([dir], builtinPlugins);
    assert.deepEqual(
      plugins.map((p) => p.name),
      ['test.throws', 'test.badrow', 'test.short', 'test.good', 'test.warns'],
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /a-syntax\.mjs: the module does not load: /);
    assert.match(
      problems[1]!,
      /b-invalid\.mjs: not a valid memscope plugin: name must be dotted lower-case words.*; version must be a semantic version.*; description must be a line of text; tree must be true or false; run must be an async generator function.*; requirements\[0\] must be .*; columns must be a non-empty list/,
    );
    assert.match(problems[2]!, /c-taken\.mjs: a plugin named windows\.pslist is already loaded/);
    await rejectsWith(loadPluginDirs([join(dir, 'nope')], builtinPlugins), 'BAD_REQUEST', 'cannot read the folder');
  });

  it('a plugin that throws or yields rows that do not fit its columns fails alone, named; the session goes on', async () => {
    const { plugins } = await loadPluginDirs([dir], builtinPlugins);
    const { image, expected } = await windowsImage(IMAGE);
    const session = await openWindowsSession(image, { plugins: [...builtinPlugins, ...plugins] });
    await rejectsWith(
      collect(session, 'test.throws'),
      'PLUGIN_FAILED',
      'third-party plugin test.throws failed after 1 rows: ',
      "report it to the plugin's author",
    );
    await rejectsWith(
      collect(session, 'test.badrow'),
      'PLUGIN_FAILED',
      'test.badrow yielded a bad row (row 1): column PID (int) cannot hold string "4"',
    );
    await rejectsWith(collect(session, 'test.short'), 'PLUGIN_FAILED', 'row 1): a row must have 2 values, one per column');
    await rejectsWith(collect(session, 'test.warns'), 'PLUGIN_FAILED', 'called ctx.warn with "plain text": it takes { code:');
    const good = session.run('test.good', {}, {});
    const rows = [];
    for await (const row of good) rows.push(row.values);
    assert.deepEqual(rows, [[4, 'System']]);
    assert.deepEqual(good.warnings, [{ code: 'LIMIT', message: 'stopped early', address: '0x1000', count: 1 }]);
    assert.equal((await collect(session, 'windows.pslist')).length, expected.processes.filter((p) => p.linked).length);
  });
});

describe('the plugin sandbox bundle (dist/app/plugin-sandbox.worker.js)', () => {
  it('starts from a data: URL within the browser’s URL limit', () => {
    const bundle = fileURLToPath(new URL('../../dist/app/plugin-sandbox.worker.js', import.meta.url));
    assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build first`);
    const length = `data:text/javascript;charset=utf-8,${encodeURIComponent(readFileSync(bundle, 'utf8'))}`.length;
    assert.ok(length < MAX_URL_LENGTH, `${length} characters: over the ${MAX_URL_LENGTH} a browser takes — the sandbox would not start`);
  });
});
