import { executeServerCommand } from '@web/test-runner-commands';
import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import { AppFrame, cellTexts, filterTable, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { pierce, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, SYMBOL_DB, deleteDatabase } from './idb.ts';

// A generated Windows image picked in the built app's drop zone (a disk-backed File read in slices by the
// real engine and scan workers), symbols added through the symbol request, results checked against the
// generator's truth file. Network requests are recorded throughout.
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

interface RecordedRequest {
  readonly url: string;
  readonly type: string;
}

/** The columns every process row is compared on: PID, PPID, ImageFileName, Offset(V), Threads, ExitTime. */
function processKey(p: ExpectedProcess): string {
  return [p.pid, p.ppid, p.name, p.eprocessVirtual, p.threads, p.exitTime === null ? 'N/A' : 'exited'].join(' | ');
}

function rowKey(columns: readonly string[], cells: readonly string[]): string {
  const at = (name: string) => {
    const i = columns.indexOf(name);
    ok(i >= 0, `column ${name} in ${columns.join(', ')}`);
    return cells[i]!.trim();
  };
  return [at('PID'), at('PPID'), at('ImageFileName'), at('Offset(V)'), at('Threads'), at('ExitTime') === 'N/A' ? 'N/A' : 'exited'].join(' | ');
}

function headers(grid: HTMLElement): string[] {
  return [...grid.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
}

const sorted = (keys: string[]) => [...keys].sort();

describe('end to end: a Windows image dropped into the built app', function () {
  this.timeout(30000);
  let fixture: WindowsFixture;
  let app: AppFrame;
  let requests: readonly RecordedRequest[] | undefined;
  const stopRecording = async () => (requests ??= (await executeServerCommand('record-requests', { recording: false })) as RecordedRequest[]);

  before(async () => {
    fixture = await windowsFixture(SIZE, SEED);
    await deleteDatabase(SYMBOL_DB);
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
    await executeServerCommand('record-requests', { recording: true });
    app = await AppFrame.open();
  });

  after(async () => {
    app?.close();
    await stopRecording();
  });

  it('opens the picked file and asks for the PDB the generator wrote', async () => {
    const { pdb } = fixture.expected.kernel;
    const fileName = fixture.image.split('/').pop()!;
    await app.chooseImage(fixture.image);
    const summary = await app.summaryText(fileName);
    ok(summary.includes('discovered from the image'), `summary says the symbols were found in the image: ${summary}`);
    const { dtb, base } = fixture.expected.kernel;
    ok(summary.includes(dtb) && summary.includes(base), `summary shows DTB ${dtb} and kernel base ${base}: ${summary}`);
    const request = app.symbolRequest();
    ok(request, 'the symbol request is shown');
    equal(pierce(request, 'code.guid')?.textContent, pdb.guid);
    equal(pierce(request, 'code.age')?.textContent, String(pdb.age));

    await app.addSymbols(fixture.symbols);
    const withSymbols = await app.summaryText(fileName, (text) => !text.includes('discovered from the image'));
    ok(withSymbols.includes(`${pdb.guid}-${pdb.age}`), `summary names the symbols in use: ${withSymbols}`);
    equal(app.symbolRequest(), null, 'the symbol request is gone');
    // First sight: the page shows the process tree on its own, every linked process in it.
    const tree = await waitFor(() => app.find('process-tree'), 'the process tree, with no click', 15000);
    const linked = fixture.expected.processes.filter((p) => p.linked).length;
    const total = () => /(\d+) rows/.exec(tree.shadowRoot?.querySelector('.count')?.textContent ?? '')?.[1];
    await waitFor(() => total() === String(linked), `the tree's ${linked} processes`, 15000);
  });

  it('windows.pslist shows exactly the linked processes', async () => {
    const linked = fixture.expected.processes.filter((p) => p.linked);
    const table = await app.run('windows.pslist');
    deepEqual(rowCount(table), { total: linked.length, shown: linked.length }, 'row count');
    const rows = (await app.allRows(table)).map(cellTexts);
    deepEqual(sorted(rows.map((r) => rowKey(headers(table), r))), sorted(linked.map(processKey)));

    // The filter box narrows the table to the processes of the most common name.
    const names = linked.map((p) => p.name);
    const common = names.reduce((best, n) => (names.filter((m) => m === n).length > names.filter((m) => m === best).length ? n : best));
    const matching = linked.filter((p) => p.name.toLowerCase().includes(common.toLowerCase()));
    ok(matching.length > 1, `more than one ${common}`);
    await filterTable(table, common.toUpperCase());
    deepEqual(rowCount(table), { total: linked.length, shown: matching.length }, `filtered for ${common}`);
    const filtered = (await app.allRows(table)).map(cellTexts);
    deepEqual(sorted(filtered.map((r) => rowKey(headers(table), r))), sorted(matching.map(processKey)));
    // The table keeps its filter for the next plugin's results, as a person would see it; clear it.
    await filterTable(table, '');
  });

  it('windows.psscan also finds the hidden and exited processes, and no decoy', async () => {
    const all = fixture.expected.processes;
    ok(all.some((p) => p.hidden) && all.some((p) => p.exited), 'the image has hidden and exited processes');
    const table = await app.run('windows.psscan');
    deepEqual(rowCount(table), { total: all.length, shown: all.length }, 'row count');
    const rows = (await app.allRows(table)).map(cellTexts);
    deepEqual(sorted(rows.map((r) => rowKey(headers(table), r))), sorted(all.map(processKey)));
    for (const p of all.filter((x) => x.hidden || x.exited)) {
      await filterTable(table, p.eprocessVirtual);
      equal(rowCount(table).shown, 1, `${p.name} (PID ${p.pid}, ${p.hidden ? 'hidden' : 'exited'}) found by the filter`);
    }
    await filterTable(table, '');
  });

  it('a clicked Offset(V) opens the kernel memory of that _EPROCESS: its ImageFileName where the ISF puts it', async () => {
    const p = fixture.expected.processes.find((x) => x.hidden);
    ok(p, 'the image has a hidden process');
    const nameOffset = (await executeServerCommand('isf-field-offset', { struct: '_EPROCESS', field: 'ImageFileName' })) as number;
    // The psscan result of the previous test (running the same plugin again would race its finished state).
    equal(app.find('.result-head h2')?.textContent, 'windows.psscan');
    const table = app.find('result-table')!;
    await filterTable(table, p.eprocessVirtual);
    const [row] = await app.allRows(table);
    ok(row, `${p.name} (PID ${p.pid}) is listed`);
    row.querySelectorAll<HTMLElement>('[role=gridcell]')[headers(table).indexOf('Offset(V)')]!.click();

    const view = await waitFor(() => app.find('hex-view:not([hidden])'), 'the hex view');
    const address = BigInt(p.eprocessVirtual);
    const start = address - (address % 16n);
    const rows = await waitFor(() => {
      const shown = [...view.shadowRoot!.querySelectorAll('.row')];
      return shown[0]?.querySelector('.address')?.textContent?.trim() === `0x${start.toString(16)}` ? shown : undefined;
    }, `hex rows from ${p.eprocessVirtual}`);
    const ascii = rows.map((r) => r.querySelector('.ascii')!.textContent!).join('');
    const at = Number(address - start) + nameOffset;
    equal(ascii.slice(at, at + p.name.length), p.name, `ImageFileName at _EPROCESS + 0x${nameOffset.toString(16)}`);
    equal(view.shadowRoot!.querySelectorAll('.row.unmapped').length, 0, 'the _EPROCESS pages are mapped');
    await filterTable(table, '');
  });

  it('windows.pstree nests every linked process under its parent', async () => {
    const linked = fixture.expected.processes.filter((p) => p.linked);
    const byPid = new Map(linked.map((p) => [p.pid, p]));
    const depthOf = (p: ExpectedProcess): number => {
      let depth = 0;
      const seen = new Set([p.pid]);
      for (let parent = byPid.get(p.ppid); parent && !seen.has(parent.pid); parent = byPid.get(parent.ppid)) {
        seen.add(parent.pid);
        depth++;
      }
      return depth;
    };
    ok(
      linked.some((p) => depthOf(p) >= 2),
      'the image has grandchildren',
    );

    const tree = await app.run('windows.pstree');
    const rendered = await app.allRows(tree);
    const rows = rendered.map(cellTexts);
    const levels = rendered.map((r) => Number(r.getAttribute('aria-level')) - 1);
    const pid = headers(tree).indexOf('PID');
    equal(rows.length, linked.length, 'one row per linked process');
    const path: number[] = [];
    for (const [i, row] of rows.entries()) {
      const p = byPid.get(Number(row[pid]));
      ok(p, `row ${i} (PID ${row[pid]}) is a linked process`);
      equal(levels[i], depthOf(p), `depth of ${p.name} (PID ${p.pid})`);
      path.length = levels[i]!;
      if (path.length > 0) equal(path.at(-1), p.ppid, `${p.name} (PID ${p.pid}) sits under its parent`);
      path.push(p.pid);
    }
  });

  it('made no request off the test server while opening and analysing', async () => {
    const recorded = await stopRecording();
    const origin = location.origin;
    const foreign = recorded.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith('data:'));
    deepEqual(foreign, [], 'requests to other origins');
    // The recording covers the engine worker and the scan workers it starts, not only the page.
    const paths = new Set(recorded.map((r) => new URL(r.url).pathname));
    for (const path of ['/dist/index.html', '/dist/app/engine.worker.js', '/dist/app/memscope.wasm', '/dist/app/scan.worker.js']) {
      ok(paths.has(path), `${path} was recorded (recorded: ${[...paths].join(', ')})`);
    }
  });
});
