import { proxy, wrap } from 'comlink';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js/lib/zip-core-custom.js';
import type { EngineApi } from '../../src/engine/engine-api.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { deepEqual, equal, match, ok } from './assert.ts';
import { deleteDatabase, entries, SYMBOL_DB } from './idb.ts';

// Runs the built worker (npm run build) on the built sample, giving its symbols as a Volatility-style windows.zip.
const DIST = '/dist/';

async function get(path: string): Promise<Response> {
  const response = await fetch(DIST + path);
  if (!response.ok) throw new Error(`${DIST}${path}: HTTP ${response.status} — run npm run build first`);
  return response;
}

async function zipFile(name: string, entries: { name: string; bytes: Uint8Array }[]): Promise<File> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
  for (const e of entries) await writer.add(e.name, new Uint8ArrayReader(e.bytes), { level: e.name.endsWith('.xz') ? 0 : 6 });
  return new File([await writer.close()], name);
}

describe('engine worker (dist build): symbol packs', () => {
  it('takes the needed table out of windows.zip, stores only that, and needs no zip afterwards', async () => {
    const manifest = (await (await get('sample/sample.json')).json()) as { image: string; symbols: string[] };
    const image = new File([await (await get(`sample/${manifest.image}`)).blob()], 'sample.raw');
    // The kernel's table (the sample's pack also holds tcpip's, for windows.netstat).
    const packPath = manifest.symbols.find((s) => s.includes('/ntkrnlmp.pdb/'))!;
    const [, entry, pdbName, guid, age] = /(windows\/([^/]+)\/([0-9A-F]{32})-(\d+)\.json(?:\.xz)?)$/.exec(packPath)!;
    const key = `${pdbName}/${guid}-${age}`;
    const isf = new Uint8Array(await (await get(`sample/${packPath}`)).arrayBuffer());
    const otherGuid = guid!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const windowsZip = await zipFile('windows.zip', [
      { name: 'README.txt', bytes: new TextEncoder().encode('symbols') },
      { name: `windows/${pdbName}/${otherGuid}-${age}.json.xz`, bytes: isf },
      { name: entry!, bytes: isf },
    ]);
    const otherZip = await zipFile('other.zip', [{ name: `windows/${pdbName}/${otherGuid}-${age}.json.xz`, bytes: isf }]);
    await deleteDatabase(SYMBOL_DB);

    const first = new Worker(`${DIST}app/engine.worker.js`, { type: 'module' });
    try {
      const engine = wrap<EngineApi>(first);
      const opened = await engine.open(image, image.name);
      ok(opened.ok, `open: ${JSON.stringify(!opened.ok && opened.error)}`);
      deepEqual(opened.value.missingSymbols, { kind: 'pdb', pdbName, guid, age: Number(age), discovered: true });

      const refused = await engine.addSymbolFiles([{ name: otherZip.name, blob: otherZip }]);
      ok(!refused.ok, 'a pack without the kernel PDB is refused');
      equal(refused.error.code, 'SYMBOLS_MISSING');
      deepEqual(refused.error.missingSymbols, { kind: 'pdb', pdbName, guid, age: Number(age) });
      match(refused.error.message, new RegExp(`GUID ${guid} age ${age}; not found in symbol pack other\\.zip`));

      const added = await engine.addSymbolFiles([{ name: windowsZip.name, blob: windowsZip }]);
      ok(added.ok, `addSymbolFiles: ${JSON.stringify(!added.ok && added.error)}`);
      deepEqual(added.value, [key]);
      // Only the needed entry went to IndexedDB, as packed.
      const stored = await entries(SYMBOL_DB);
      deepEqual(
        stored.map(([k]) => k),
        [key],
      );
      const record = stored[0]![1] as { fileName: string; bytes: ArrayBuffer };
      equal(record.fileName, `windows.zip!${entry}`);
      deepEqual([...new Uint8Array(record.bytes)], [...isf]);

      const reopened = await engine.open(image, image.name);
      ok(reopened.ok);
      equal(reopened.value.missingSymbols, undefined);
    } finally {
      first.terminate();
    }

    // A new engine, no zip: the stored entry is enough.
    const second = new Worker(`${DIST}app/engine.worker.js`, { type: 'module' });
    try {
      const engine = wrap<EngineApi>(second);
      const opened = await engine.open(image, image.name);
      ok(opened.ok);
      equal(opened.value.missingSymbols, undefined);
      const rows: PluginRow[] = [];
      const run = await engine.run(
        'job-1',
        'windows.pslist',
        {},
        proxy((batch: PluginRow[]) => void rows.push(...batch)),
        proxy(() => {}),
      );
      ok(run.ok, `pslist: ${JSON.stringify(!run.ok && run.error)}`);
      ok(rows.length > 1, 'processes listed');
    } finally {
      second.terminate();
    }
  });
});
