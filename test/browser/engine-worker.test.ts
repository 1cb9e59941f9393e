import { executeServerCommand } from '@web/test-runner-commands';
import { proxy, wrap } from 'comlink';
import type { EngineApi, JobProgress } from '../../src/engine/engine-api.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { deepEqual, equal, ok } from './assert.ts';

// Runs the built worker (npm run build) on the built sample: the real File-slice, IndexedDB and comlink paths.
const DIST = '/dist/';

async function get(path: string): Promise<Response> {
  const response = await fetch(DIST + path);
  if (!response.ok) throw new Error(`${DIST}${path}: HTTP ${response.status} — run npm run build first`);
  return response;
}

function deleteSymbolCache(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase('memscope-symbols');
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

describe('engine worker (dist build, sample image)', () => {
  it('asks for the symbols, stores them, then lists processes in batches', async () => {
    const manifest = (await (await get('sample/sample.json')).json()) as { image: string; symbols: string[] };
    const image = new File([await (await get(`sample/${manifest.image}`)).blob()], 'sample.raw');
    // The kernel's table (the sample's pack also holds tcpip's, for windows.netstat).
    const packPath = manifest.symbols.find((s) => s.includes('/ntkrnlmp.pdb/'))!;
    // The pack's path names the PDB: .../ntkrnlmp.pdb/<GUID>-<AGE>.json.xz
    const [, pdbName, guid, age] = /([^/]+)\/([0-9A-F]{32})-(\d+)\.json(?:\.xz)?$/.exec(packPath)!;
    await deleteSymbolCache();

    const worker = new Worker(`${DIST}app/engine.worker.js`, { type: 'module' });
    try {
      const engine = wrap<EngineApi>(worker);
      const first = await engine.open(image, image.name);
      ok(first.ok, `open: ${JSON.stringify(!first.ok && first.error)}`);
      equal(first.value.os, 'windows');
      equal(first.value.fileSize, image.size);
      deepEqual(first.value.missingSymbols, { kind: 'pdb', pdbName, guid, age: Number(age), discovered: true });

      // What was found in the image can be saved as an ISF: named for the kernel's PDB, offsets those of its real table.
      const found = await engine.isfFile(`${pdbName}/${guid}-${age}`);
      ok(found.ok, `isfFile: ${JSON.stringify(!found.ok && found.error)}`);
      equal(found.value.fileName, `${guid}-${age}.json`);
      const isf = JSON.parse(found.value.text) as {
        metadata: { windows: { pdb: { GUID: string } } };
        user_types: Record<string, { fields: Record<string, { offset: number }> }>;
      };
      equal(isf.metadata.windows.pdb.GUID, guid);
      for (const field of ['UniqueProcessId', 'ImageFileName', 'Peb']) {
        equal(
          isf.user_types['_EPROCESS']!.fields[field]!.offset,
          await executeServerCommand('isf-field-offset', { struct: '_EPROCESS', field }),
          field,
        );
      }

      // The file's hashes for the case notes, read once in the worker, with progress: Node's crypto is the oracle.
      const hashed: number[] = [];
      const hashes = await engine.hashImage(proxy((done: number) => void hashed.push(done)));
      ok(hashes.ok, `hashImage: ${JSON.stringify(!hashes.ok && hashes.error)}`);
      deepEqual(hashes.value, {
        sha256: await executeServerCommand('file-sha256', { path: 'dist/sample/sample.raw' }),
        md5: await executeServerCommand('file-md5', { path: 'dist/sample/sample.raw' }),
      });
      equal(hashed.at(-1), image.size);
      // Cancel (the page's button) stops it: CANCELLED, not a failure.
      const stopped = engine.hashImage(proxy(() => {}));
      await engine.cancelHashing();
      const cancelled = await stopped;
      ok(!cancelled.ok && cancelled.error.code === 'CANCELLED', `hashImage after cancelHashing: ${JSON.stringify(cancelled)}`);

      const noRows: PluginRow[][] = [];
      const refused = await engine.run(
        'job-1',
        'windows.handles',
        {},
        proxy((rows: PluginRow[]) => void noRows.push(rows)),
        proxy(() => {}),
      );
      ok(!refused.ok, 'handles without symbols fails (pslist would run on offsets found in the image)');
      equal(refused.error.code, 'SYMBOLS_MISSING');
      deepEqual(refused.error.missingSymbols, { kind: 'pdb', pdbName, guid, age: Number(age) });

      const pack = await (await get(`sample/${packPath}`)).blob();
      const added = await engine.addSymbolFiles([{ name: packPath.split('/').pop()!, blob: pack }]);
      ok(added.ok, `addSymbolFiles: ${JSON.stringify(!added.ok && added.error)}`);
      deepEqual(added.value, [`${pdbName}/${guid}-${age}`]);

      const reopened = await engine.open(image, image.name);
      ok(reopened.ok);
      equal(reopened.value.missingSymbols, undefined);
      ok(reopened.value.symbols?.includes(guid), `summary names the symbols in use (${reopened.value.symbols})`);

      const batches: PluginRow[][] = [];
      const progress: JobProgress[] = [];
      const run = await engine.run(
        'job-2',
        'windows.pslist',
        {},
        proxy((rows: PluginRow[]) => void batches.push(rows)),
        proxy((p: JobProgress) => void progress.push(p)),
      );
      ok(run.ok, `pslist: ${JSON.stringify(!run.ok && run.error)}`);
      const rows = batches.flat();
      equal(run.value.rowCount, rows.length);
      ok(rows.length > 1, 'more than one process');
      const columns = (await engine.plugins()).find((p) => p.name === 'windows.pslist')!.columns.map((c) => c.name);
      const pid = columns.indexOf('PID');
      const name = columns.indexOf('ImageFileName');
      // Windows' System process always has PID 4.
      ok(
        rows.some((r) => r.values[pid] === 4 && r.values[name] === 'System'),
        'System (PID 4) listed',
      );

      // psscan fans out to the scan workers (nested workers reading File slices).
      const scanned: PluginRow[][] = [];
      const scanProgress: JobProgress[] = [];
      const scan = await engine.run(
        'job-3',
        'windows.psscan',
        {},
        proxy((r: PluginRow[]) => void scanned.push(r)),
        proxy((p: JobProgress) => void scanProgress.push(p)),
      );
      ok(scan.ok, `psscan: ${JSON.stringify(!scan.ok && scan.error)}`);
      const scannedPids = new Set(scanned.flat().map((r) => r.values[pid]));
      ok(
        rows.every((r) => scannedPids.has(r.values[pid])),
        'psscan finds every listed process',
      );
      ok(scanProgress.length > 0, 'scan progress reported');
    } finally {
      worker.terminate();
    }
  });

  it('keeps a dropped PDB, lists it, saves it as the ISF the CLI makes of it, and forgets it', async function () {
    const fixture = (await executeServerCommand('pdb-fixture', { name: 'crash.pdb' })) as
      { path: string; key: string; isf: string } | { skip: string };
    if ('skip' in fixture) {
      this.skip();
      return;
    }
    await deleteSymbolCache();
    const worker = new Worker(`${DIST}app/engine.worker.js`, { type: 'module' });
    try {
      const engine = wrap<EngineApi>(worker);
      const pdb = await (await fetch(`/${fixture.path}`)).blob();
      const added = await engine.addSymbolFiles([{ name: 'crash.pdb', blob: pdb }]);
      ok(added.ok, `addSymbolFiles: ${JSON.stringify(!added.ok && added.error)}`);
      deepEqual(added.value, [fixture.key]);
      const kept = await engine.keptSymbols();
      ok(kept.ok);
      deepEqual(kept.value, [{ key: fixture.key, fileName: 'crash.pdb', bytes: pdb.size, pdb: true }]);
      const isf = await engine.isfFile(fixture.key);
      ok(isf.ok, `isfFile: ${JSON.stringify(!isf.ok && isf.error)}`);
      equal(isf.value.fileName, `${fixture.key.split('/')[1]}.json`);
      ok(isf.value.text === fixture.isf, 'the page’s ISF is the CLI’s pdb-isf output');
      ok((await engine.forgetSymbols(fixture.key)).ok);
      deepEqual((await engine.keptSymbols()).ok && (await engine.keptSymbols()), { ok: true, value: [] });
    } finally {
      worker.terminate();
    }
  });
});
