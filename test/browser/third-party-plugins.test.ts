import { proxy, wrap } from 'comlink';
import { IdbPluginLibrary } from '../../src/browser/idb-plugin-library.ts';
import type { EngineApi, JobProgress } from '../../src/engine/engine-api.ts';
import type { SessionSeed } from '../../src/engine/session-seed.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { ThirdPartyPlugins } from '../../src/ui/third-party-plugins.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { entries, type Database } from './idb.ts';

// The page's side of third-party plugins with the built plugin sandbox and engine worker (npm run build) on the built
// sample image: the sandbox's session seeded by the engine's, and what happens when a plugin blocks the sandbox's
// thread (with a watchdog limit of one second).
const DIST = '/dist/';
const APP = new URL(`${DIST}app/`, location.href);
const LIMIT_MS = 1000;
/**
 * Stopped by the watchdog, not left hanging until the test's timeout: the limit plus starting a sandbox (fetching and
 * compiling its code), with room for a loaded machine — the watchdog's timing itself is not what these tests measure.
 */
const STOPPED_WITHIN_MS = LIMIT_MS + 10_000;

/** A library of its own, new on every run: it keeps its database open, so the database cannot be deleted from here. */
function library(): { modules: IdbPluginLibrary; db: Database } {
  const name = `memscope-plugins-test-${Math.random().toString(36).slice(2)}`;
  return { modules: new IdbPluginLibrary(name), db: { name, store: 'modules' } };
}

const module = (name: string, text: string) => new File([text], name, { type: 'text/javascript' });

/** A plugin declaration whose run is `run` (source text). */
const plugin = (name: string, run: string) => `export default {
  name: '${name}', version: '1.0.0', description: 'test', requirements: [], columns: [{ name: 'N', type: 'int' }], options: [], tree: false,
  async *run() { ${run} },
};`;

const fetchFile = async (path: string) =>
  new File([await (await fetch(`${DIST}sample/${path}`)).blob()], new URL(path, 'file:///').pathname.split('/').pop()!);

/** The sample image and its symbol pack. */
async function sample(): Promise<{ image: File; symbols: File }> {
  const manifest = (await (await fetch(`${DIST}sample/sample.json`)).json()) as { image: string; symbols: string[] };
  return { image: await fetchFile(manifest.image), symbols: await fetchFile(manifest.symbols.find((s) => s.includes('/ntkrnlmp.pdb/'))!) };
}

const noProgress = proxy((p: JobProgress) => void p);

/** Every row of a run, or its failure. */
async function rowsOf(plugins: ThirdPartyPlugins, job: string, plugin: string): Promise<PluginRow[]> {
  const rows: PluginRow[] = [];
  const ran = await plugins.run(
    job,
    plugin,
    {},
    proxy((r: PluginRow[]) => void rows.push(...r)),
    noProgress,
  );
  ok(ran.ok, `${plugin}: ${JSON.stringify(!ran.ok && ran.error)}`);
  return rows;
}

describe("third-party plugins: the sandbox's session (dist build, sample image)", function () {
  this.timeout(30000);

  it("opens the engine worker's image with the engine's discovery and symbols: nothing is discovered or asked for again", async () => {
    const { image, symbols } = await sample();
    const worker = new Worker(`${DIST}app/engine.worker.js`, { type: 'module' });
    try {
      const engine = wrap<EngineApi>(worker);
      ok((await engine.addSymbolFiles([{ name: symbols.name, blob: symbols }])).ok, 'symbols added');
      const opened = await engine.open(image, image.name);
      ok(opened.ok && !opened.value.missingSymbols, `the engine opens it with its symbols: ${JSON.stringify(opened)}`);
      const pslist = (await engine.plugins()).find((p) => p.name === 'windows.pslist')!;
      const engineRows: PluginRow[] = [];
      ok(
        (
          await engine.run(
            'job-0',
            'windows.pslist',
            {},
            proxy((r: PluginRow[]) => void engineRows.push(...r)),
            noProgress,
          )
        ).ok,
        'engine pslist',
      );
      const seeded = await engine.sessionSeed();
      ok(seeded.ok, `seed: ${JSON.stringify(!seeded.ok && seeded.error)}`);
      const seed = seeded.value;
      deepEqual(
        seed.symbolFiles.map((f) => f.name),
        [symbols.name],
        'the symbol file in use',
      );
      const windows = seed.cacheEntries.filter(([key]) => key.startsWith('windows/'));
      equal(windows.length, 1, `one Windows discovery among ${seed.cacheEntries.map(([key]) => key).join(', ')}`);

      const thirdParty = new ThirdPartyPlugins(library().modules, APP);
      const counts = `export default {
        name: 'test.kernel', version: '1.0.0', description: 'Counts what windows.pslist lists.', options: [], tree: false,
        requirements: [{ kind: 'kernel', os: 'windows' }, { kind: 'plugin', name: 'windows.pslist', version: '^1' }],
        columns: [{ name: 'Processes', type: 'int' }],
        async *run(ctx) { let n = 0; for await (const _ of ctx.runPlugin('windows.pslist')) n++; yield { depth: 0, values: [n] }; },
      };`;
      ok((await thirdParty.add(new File([counts], 'kernel.mjs'))).ok, 'added');
      const open = (seed: SessionSeed) => thirdParty.open({ file: image, fileName: image.name, seed: async () => ({ ok: true, value: seed }) });

      // A PDB name discovery could never find: if the sandbox names it, it took the engine's discovery as it was.
      const [key, entry] = windows[0]! as [string, { discovery: { pdb: object } }];
      const discovery = { ...entry.discovery, pdb: { ...entry.discovery.pdb, pdbName: 'from-the-engine.pdb' } };
      const marked: SessionSeed = { cacheEntries: [[key, { discovery }]], symbolFiles: [] };
      const withMarker = await open(marked);
      ok(withMarker.ok, JSON.stringify(!withMarker.ok && withMarker.error));
      const unmet = withMarker.value.plugins[0]!.unmet.join('; ');
      ok(unmet.includes('from-the-engine.pdb/'), `the sandbox used the handed discovery: ${unmet}`);

      const listed = await open(seed);
      ok(listed.ok, JSON.stringify(!listed.ok && listed.error));
      deepEqual(
        listed.value.plugins.map((p) => [p.name, p.origin, p.unmet]),
        [['test.kernel', 'kernel.mjs', []]],
        'runnable with the handed symbols',
      );
      deepEqual(
        (await rowsOf(thirdParty, 'job-1', 'test.kernel')).map((r) => r.values),
        [[engineRows.length]],
        `as many processes as the engine's ${pslist.name}`,
      );
    } finally {
      worker.terminate();
    }
  });
});

describe('third-party plugins: the sandbox watchdog (dist build, sample image)', function () {
  this.timeout(20000);
  const { modules, db } = library();
  const plugins = new ThirdPartyPlugins(modules, APP, LIMIT_MS);

  it('stops a module whose top-level code never finishes and stores nothing', async () => {
    const started = performance.now();
    const added = await plugins.add(module('stuck.mjs', `for (;;); ${plugin('test.stuck', 'yield { depth: 0, values: [1] };')}`));
    ok(!added.ok, 'refused');
    equal(added.error.code, 'BAD_PLUGIN');
    equal(added.error.message, 'stuck.mjs: the module did not finish loading: the plugin sandbox did not respond for 1 s and was stopped');
    ok(performance.now() - started < STOPPED_WITHIN_MS, `stopped by the watchdog (${Math.round(performance.now() - started)} ms)`);
    deepEqual(await entries(db), [], 'nothing stored');
  });

  it('stops a run that blocks the sandbox after the limit, then runs the next plugin in a new sandbox', async () => {
    for (const [name, run] of [
      ['busy.mjs', 'for (;;);'],
      ['counts.mjs', 'for (let n = 1; n <= 3; n++) yield { depth: 0, values: [n] };'],
    ] as const) {
      const added = await plugins.add(module(name, plugin(`test.${name.replace('.mjs', '')}`, run)));
      ok(added.ok, `${name}: ${JSON.stringify(!added.ok && added.error)}`);
    }
    const { image } = await sample();
    const listed = await plugins.open({
      file: image,
      fileName: image.name,
      seed: async () => ({ ok: true, value: { cacheEntries: [], symbolFiles: [] } }),
    });
    ok(listed.ok, `open: ${JSON.stringify(!listed.ok && listed.error)}`);
    deepEqual(
      listed.value.plugins.map((p) => [p.name, p.origin]),
      [
        ['test.busy', 'busy.mjs'],
        ['test.counts', 'counts.mjs'],
      ],
    );

    const silences: number[] = [];
    plugins.onSilence = (ms) => silences.push(ms);
    const noRows = proxy((rows: PluginRow[]) => void rows);
    const started = performance.now();
    const hung = await plugins.run('job-1', 'test.busy', {}, noRows, noProgress);
    ok(!hung.ok, 'the blocked run ends');
    deepEqual(hung.error, {
      code: 'PLUGIN_FAILED',
      message: "busy.mjs: third-party plugin test.busy did not respond for 1 s and was stopped — report it to the plugin's author",
    });
    ok(performance.now() - started < STOPPED_WITHIN_MS, `stopped by the watchdog (${Math.round(performance.now() - started)} ms)`);
    ok(
      silences.some((ms) => ms >= LIMIT_MS),
      `the silence was reported as it grew: ${silences.map(Math.round).join(', ')}`,
    );

    deepEqual(
      (await rowsOf(plugins, 'job-2', 'test.counts')).map((r) => r.values),
      [[1], [2], [3]],
      'the next run, in a new sandbox',
    );
  });
});
