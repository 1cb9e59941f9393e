import { AppFrame, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { pierce, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, SYMBOL_DB, deleteDatabase, entries, putEntry } from './idb.ts';

// What the engine keeps in IndexedDB between sessions, seen through fresh copies of the built app (each
// iframe starts its own engine worker): symbol files keyed by PDB GUID/age, and discovery per image.
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

interface CachedDiscovery {
  readonly dtb: number;
  readonly kernelBase: string;
  readonly pdb: { readonly pdbName: string; readonly guid: string; readonly age: number };
}

describe('end to end: what the built app remembers between sessions', function () {
  this.timeout(30000);
  let fixture: WindowsFixture;
  let fileName: string;
  let app: AppFrame | undefined;
  const fresh = async () => {
    app?.close();
    app = await AppFrame.open();
    return app;
  };

  before(async () => {
    fixture = await windowsFixture(SIZE, SEED);
    fileName = fixture.image.split('/').pop()!;
    await deleteDatabase(SYMBOL_DB);
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
  });

  after(async () => {
    app?.close();
    // The discovery cache was tampered with below; later sessions must not meet it.
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
  });

  it('keeps added symbols by PDB GUID/age: a fresh engine opening the image asks for none', async () => {
    const { pdb } = fixture.expected.kernel;
    const first = await fresh();
    await first.chooseImage(fixture.image);
    await first.summaryText(fileName, (text) => text.includes('discovered from the image'));
    ok(first.symbolRequest(), 'the first session asks for symbols');
    await first.addSymbols(fixture.symbols);
    await first.summaryText(fileName, (text) => !text.includes('discovered from the image'));
    // The process tree the page shows on its own, kept in this browser for the image once it has finished.
    await waitFor(() => first.find('.result-state')?.textContent?.includes('rows in') && first.find('process-tree'), 'the tree', 15000);
    deepEqual(
      (await entries(SYMBOL_DB)).map(([key]) => key),
      [`${pdb.name}/${pdb.guid}-${pdb.age}`],
      'symbol cache keys',
    );

    const second = await fresh();
    await second.chooseImage(fixture.image);
    const summary = await second.summaryText(fileName);
    ok(summary.includes(`${pdb.guid}-${pdb.age}`) && summary.includes('IndexedDB cache'), `symbols come from the cache: ${summary}`);
    equal(second.symbolRequest(), null, 'no symbol request');
    const table = await second.run('windows.pslist');
    const linked = fixture.expected.processes.filter((p) => p.linked).length;
    deepEqual(rowCount(table), { total: linked, shown: linked }, 'pslist rows');
    // The first session's tree is back as a tab, beside this session's run.
    deepEqual(
      [...second.document.querySelector('memscope-app')!.shadowRoot!.querySelectorAll('.run-tabs button[role=tab] .label')].map((t) =>
        t.textContent!.trim(),
      ),
      ['windows.pstree', 'windows.pslist'],
    );

    // The symbols panel names what the image needs, lists the kept table as this image's, and forgets it on request.
    const key = `${pdb.name}/${pdb.guid}-${pdb.age}`;
    const panel = second.find('symbols-panel')!;
    equal(pierce(panel, 'code.needed')?.textContent, key);
    const listed = await waitFor(() => pierce(panel, `button.forget[data-key="${key}"]`), 'the kept table listed');
    ok(panel.shadowRoot!.textContent!.includes('this image’s'), 'marked as this image’s');
    listed.click();
    for (let tries = 0; (await entries(SYMBOL_DB)).length > 0; tries++) {
      ok(tries < 100, 'the table is forgotten in IndexedDB');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(() => panel.shadowRoot!.querySelector('.none'), 'the panel says none is kept');
    const third = await fresh();
    await third.chooseImage(fixture.image);
    await third.summaryText(fileName, (text) => text.includes('discovered from the image'));
  });

  it('remembers discovery per image: a fresh engine takes DTB, kernel base and PDB from the cache', async () => {
    const { kernel } = fixture.expected;
    const cached = await entries(DISCOVERY_DB);
    equal(cached.length, 1, 'one image opened, one discovery cached');
    const [key, entry] = cached[0]! as [IDBValidKey, { discovery: CachedDiscovery }];
    const value = entry.discovery;
    equal(value.dtb, Number(kernel.dtb), 'cached DTB');
    equal(BigInt(value.kernelBase), BigInt(kernel.base), 'cached kernel base');
    deepEqual([value.pdb.pdbName, value.pdb.guid, value.pdb.age], [kernel.pdb.name, kernel.pdb.guid, kernel.pdb.age], 'cached PDB identity');

    // A PDB name discovery could never find in the image: if the next session shows it, it did not rediscover.
    const marker = 'from-the-discovery-cache.pdb';
    await putEntry(DISCOVERY_DB, key, { discovery: { ...value, pdb: { ...value.pdb, pdbName: marker } } });
    const third = await fresh();
    await third.chooseImage(fixture.image);
    const summary = await third.summaryText(fileName);
    // No table is filed under the marker's name, so the kernel is read from offsets found in the image meanwhile.
    ok(summary.includes('discovered from the image'), `no table for the cached discovery's PDB: ${summary}`);
    ok(pierce(third.symbolRequest()!, 'h2')?.textContent?.includes(marker), 'the symbol request names the cached PDB');
  });
});
