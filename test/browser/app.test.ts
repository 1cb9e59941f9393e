import '../../src/ui/memscope-app.ts';
import type { MemscopeApp } from '../../src/ui/memscope-app.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { captureDownload, trapAlertsAndClear, dropFiles, mount, pierce, pierceAll, renderedRows, waitFor } from './dom.ts';
import type { CountedWarning } from '../../src/plugins/plugin.ts';
import { FakeEngine, type FakeRun } from './fake-engine.ts';
import { MEMSCOPE_VERSION } from '../../src/version.ts';
import { HOSTILE_NAME, plugins, processColumns, pslistRows, pstreeRows, summary } from './fixtures.ts';
import type { KeptRun, ResultStore } from '../../src/browser/idb-result-store.ts';

/** Runs kept per image, in memory (IdbResultStore is tested on its own, in result-store.test.ts). */
class MemoryResultStore implements ResultStore {
  readonly kept = new Map<string, KeptRun[]>();
  async runs(image: string): Promise<KeptRun[]> {
    return [...(this.kept.get(image) ?? [])];
  }
  async keep(image: string, run: KeptRun): Promise<void> {
    this.kept.set(image, [...(this.kept.get(image) ?? []).filter((r) => r.id !== run.id), run]);
  }
  async forget(image: string, id: string): Promise<void> {
    this.kept.set(
      image,
      (this.kept.get(image) ?? []).filter((r) => r.id !== id),
    );
  }
}

function start(scripts: Record<string, FakeRun> = {}): { app: MemscopeApp; engine: FakeEngine } {
  const engine = new FakeEngine(summary, plugins, {
    'windows.pslist': { rows: pslistRows },
    'windows.pstree': { rows: pstreeRows },
    ...scripts,
  });
  const app = mount(document.createElement('memscope-app'));
  app.engine = engine;
  return { app, engine };
}

/** Opens an image and lets the process tree the page runs on its own finish; the fake then forgets that run. */
async function openImage(app: MemscopeApp): Promise<void> {
  const zone = await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone');
  dropFiles(zone, [new File([new Uint8Array(4096)], 'win10.raw')]);
  await waitFor(() => pierce(app, 'image-summary'), 'image summary');
  const engine = app.engine as unknown as FakeEngine;
  const os = engine.openOutcome.ok ? engine.openOutcome.value.os : null;
  if (engine.pluginList.some((p) => p.name === `${os}.pstree` && p.unmet.length === 0)) {
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('rows in'), 'the process tree shown on opening');
  }
  engine.runs.splice(0);
}

async function runPlugin(app: MemscopeApp, name: string): Promise<void> {
  const button = await waitFor(() => pierce(app, 'plugin-picker', `button[data-plugin="${name}"]`), `${name} in the picker`);
  button.click();
  const run = await waitFor(() => pierce(app, 'plugin-picker', 'button[type=submit]'), 'run button');
  run.click();
}

describe('memscope-app', () => {
  const alerts = trapAlertsAndClear();

  it('moves focus to what opened and to a run the user started, announces each run’s end, and stacks the panels on a narrow screen', async () => {
    const { app } = start();
    await openImage(app);
    const announced = () => pierce(app, '.announce')!.textContent;
    equal(app.shadowRoot!.activeElement?.tagName, 'IMAGE-SUMMARY', 'focus on the opened image’s summary');
    equal(announced(), 'windows.pstree: 4 rows in 1.2 s');
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => app.shadowRoot!.activeElement === pierce(app, '.result-head h2'), 'focus on the run’s heading');
    await waitFor(() => announced() === `windows.pslist: ${pslistRows.length} rows in 1.2 s`, 'the end announced');

    app.style.width = '390px';
    const results = await waitFor(() => pierce(app, 'section.results'), 'results');
    await waitFor(() => results.getBoundingClientRect().width > 300, 'the results as wide as the screen');
    ok(results.getBoundingClientRect().top < pierce(app, 'section.side')!.getBoundingClientRect().top, 'results above the side panels');
  });

  it('the process view runs its first section once, however often the page renders again', async () => {
    const { app, engine } = start();
    await openImage(app);
    const tree = await waitFor(() => pierce(app, 'process-tree'), 'the tree');
    const row = await waitFor(() => tree.shadowRoot!.querySelector('.grid-row [role=gridcell]'), 'a tree row');
    row.dispatchEvent(new MouseEvent('dblclick', { bubbles: true, composed: true }));
    const view = await waitFor(() => pierce(app, 'process-view'), 'the process view');
    await waitFor(() => view.shadowRoot!.querySelector('details[data-plugin="windows.pslist"] result-table'), 'its list entry');
    for (let i = 0; i < 5; i++) {
      app.requestUpdate();
      await app.updateComplete;
    }
    deepEqual(
      engine.runs.map((r) => r.plugin),
      ['windows.pslist'],
    );
  });

  it('keeps every run as a tab; the same image opened again shows its runs without running anything; closing a tab forgets it', async () => {
    const store = new MemoryResultStore();
    const first = start();
    first.app.results = store;
    await openImage(first.app);
    await runPlugin(first.app, 'windows.pslist');
    const tabs = (app: MemscopeApp) => pierceAll(app, '.run-tabs button[role=tab]');
    const kept = () => [...store.kept.values()].flat();
    await waitFor(() => tabs(first.app).length === 2 && kept().length === 2, 'two tabs, both kept');
    deepEqual([...store.kept.keys()], [`${summary.fingerprint}|${summary.symbolKey}`], 'under one key: the image with its symbols');
    deepEqual(
      tabs(first.app).map((t) => t.querySelector('.label')!.textContent!.trim()),
      ['windows.pstree', 'windows.pslist'],
    );
    tabs(first.app)[0]!.click();
    await waitFor(() => pierce(first.app, '.result-head h2')?.textContent === 'windows.pstree', 'the tree shown again');
    await waitFor(
      () => pierce(first.app, 'process-tree') && renderedRows(pierce(first.app, 'process-tree')!).length === pstreeRows.length,
      'its rows',
    );

    // The same image in a new page: its runs are back, and nothing runs.
    first.app.remove();
    const second = start();
    second.app.results = store;
    dropFiles(await waitFor(() => pierce(second.app, 'drop-zone', '.zone'), 'drop zone'), [new File([new Uint8Array(4096)], 'win10.raw')]);
    await waitFor(() => tabs(second.app).length === 2, 'the kept runs as tabs');
    equal(pierce(second.app, '.result-head h2')!.textContent, 'windows.pslist', 'the last one shown');
    const table = await waitFor(() => pierce(second.app, 'result-table'), 'its table');
    await waitFor(() => renderedRows(table).length === pslistRows.length, 'its rows, from this browser');
    equal(second.engine.runs.length, 0, 'nothing was run');

    // A scan closed while it runs is cancelled, and its rows so far are not kept.
    second.engine.scripts['windows.psscan'] = { rows: pslistRows, hold: true };
    await runPlugin(second.app, 'windows.psscan');
    await waitFor(() => tabs(second.app).length === 3 && pierce(second.app, '.result-head h2')?.textContent === 'windows.psscan', 'the scan’s tab');
    await waitFor(() => renderedRows(pierce(second.app, 'result-table')!).length === pslistRows.length, 'its rows so far');
    pierceAll(second.app, '.run-tabs .close')[2]!.click();
    await waitFor(() => tabs(second.app).length === 2 && !pierce(second.app, 'job-progress'), 'closed, and its job ended');
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal(kept().length, 2, 'not kept');

    // From the keyboard: Delete on the tab.
    pierceAll(second.app, '.run-tabs button[role=tab]')[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }));
    await waitFor(() => tabs(second.app).length === 0 && pierce(second.app, '.result-head h2')?.textContent === 'windows.pstree', 'one run left');
    deepEqual(
      kept().map((r) => r.plugin),
      ['windows.pstree'],
    );
  });

  it('shows the image’s symbols in plain words, the files kept in this browser, and forgets one on request', async () => {
    const { app, engine } = start();
    const key = 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1';
    engine.kept = [
      { key, fileName: '606FF669409B00F7FC8C61A9C1670129-1.json.xz', bytes: 600_000, pdb: false },
      { key: 'tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1', fileName: 'tcpip.pdb', bytes: 2_500_000, pdb: true },
    ];
    await openImage(app);
    const panel = await waitFor(() => pierce(app, 'symbols-panel'), 'the symbols panel');
    const text = () => panel.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    await waitFor(() => text().includes('tcpip.pdb'), 'the kept files listed');
    equal(pierce(panel, 'code.needed')?.textContent, key);
    equal(pierce(panel, '.in-use')?.textContent, summary.symbols);
    ok(text().includes('606FF669409B00F7FC8C61A9C1670129-1.json.xz 585.9 KiB — this image’s'), text());
    // A kept PDB can be saved as a Volatility 3 ISF (made by the engine); an ISF file cannot.
    equal(pierce(panel, `button.save-isf[data-key="${key}"]`), null);
    pierce(panel, `button.save-isf[data-key="tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1"]`)!.click();
    await waitFor(() => engine.isfRequests.length === 1, 'the ISF asked of the engine');
    deepEqual(engine.isfRequests, ['tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1']);
    pierce(panel, `button.forget[data-key="tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1"]`)!.click();
    await waitFor(() => !text().includes('tcpip.pdb'), 'the forgotten file gone');
    deepEqual(
      engine.kept.map((k) => k.key),
      [key],
    );
  });

  it('shows the process tree on opening, with no click; a run the user asks for replaces it while it runs', async () => {
    const { app, engine } = start({ 'windows.pstree': { rows: pstreeRows, hold: true } });
    const zone = await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone');
    dropFiles(zone, [new File([new Uint8Array(4096)], 'win10.raw')]);
    await waitFor(() => engine.runs.length === 1, 'a run started by the page');
    deepEqual(engine.runs[0], { plugin: 'windows.pstree', options: {} });
    await waitFor(() => pierce(app, 'process-tree'), 'the process tree shown');
    equal(pierce(app, '.result-head h2')?.textContent, 'windows.pstree');
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => engine.cancelled.includes('job-1'), 'the tree run cancelled');
    const table = await waitFor(() => pierce(app, 'result-table'), 'pslist rows');
    await waitFor(() => renderedRows(table).length === 3, 'the rows of the run asked for');
    equal(pierce(app, '.result-head h2')?.textContent, 'windows.pslist');
  });

  it('routes dropped files by kind: a symbol file on the image drop zone is added, and the open image stays open', async () => {
    const { app, engine } = start();
    engine.pluginList = [
      ...engine.pluginList,
      {
        name: 'yarascan.yarascan',
        description: 'Scans the captured physical memory with YARA rules.',
        os: 'any',
        version: '1.0.0',
        requirements: [],
        unmet: [],
        columns: [{ name: 'Offset', type: 'hex', address: 'physical' }],
        tree: false,
        options: [{ name: 'yara-rules', type: 'str', fromFile: 'yara-file', description: 'YARA rules' }],
      },
    ];
    await openImage(app);
    const zone = await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'the image drop zone');
    dropFiles(zone, [new File(['{}'], '606FF669409B00F7FC8C61A9C1670129-1.json.xz'), new File(['MSF'], 'ntkrnlmp.pdb')]);
    await waitFor(() => engine.symbolFiles.length === 2, 'the symbol files added');
    deepEqual(engine.symbolFiles, ['606FF669409B00F7FC8C61A9C1670129-1.json.xz', 'ntkrnlmp.pdb']);
    equal(engine.opened.length, 1, 'no image opened from them');
    ok(pierce(app, 'image-summary')!.shadowRoot!.textContent!.includes('win10.raw'), 'the image stays open');

    // By content: an ISF whatever its name; YARA rules fill yarascan's form, to be checked and run.
    const rules = 'rule evil {\n  strings: $a = "evil"\n  condition: $a\n}\n';
    dropFiles(zone, [new File(['{"metadata": {}, "base_types": {}}'], 'kernel symbols.txt'), new File([rules], 'evil.rules')]);
    await waitFor(() => engine.symbolFiles.length === 3, 'the ISF added');
    equal(engine.symbolFiles[2], 'kernel symbols.txt');
    await waitFor(() => pierce(app, '.notice')?.textContent?.includes('evil.rules: rules ready in yarascan.yarascan'), 'the rules offered');
    const field = await waitFor(() => pierce(app, 'plugin-picker', 'textarea[name="yara-rules"]') as HTMLTextAreaElement | null, 'the rules field');
    equal(field.value, rules);
    equal(engine.opened.length, 1, 'still no image opened');
    equal(engine.runs.length, 0, 'nothing run before the user presses Run');
  });

  it('hashes an image under 2 GiB on its own once no plugin runs (the process tree, then a run that replaced it)', async () => {
    const { app, engine } = start({ 'windows.pstree': { rows: pstreeRows, hold: true }, 'windows.pslist': { rows: pslistRows, hold: true } });
    const zone = await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone');
    dropFiles(zone, [new File([new Uint8Array(4096)], 'win10.raw')]);
    const treeProgress = await waitFor(() => pierce(app, 'job-progress'), 'the process tree running');
    await waitFor(() => treeProgress.shadowRoot!.textContent!.includes('Scanning'), 'the tree run waiting');
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => engine.runs.length === 2 && engine.cancelled.includes('job-1'), 'pslist replacing the tree');
    const progress = await waitFor(() => pierce(app, 'job-progress'), 'pslist running');
    await waitFor(() => progress.shadowRoot!.textContent!.includes('Scanning'), 'pslist waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal(engine.hashCalls, 0, 'no hashing while a plugin runs');
    progress.shadowRoot!.querySelector('button')!.click();
    const summaryView = await waitFor(() => pierce(app, 'image-summary'), 'summary');
    await waitFor(() => summaryView.shadowRoot!.textContent!.includes(engine.hashes.sha256), 'the SHA-256 shown');
    ok(summaryView.shadowRoot!.textContent!.includes(engine.hashes.md5), 'the MD5 shown');
    equal(pierce(summaryView, 'button.hash'), null, 'no button');
    equal(engine.hashCalls, 1);
  });

  it('says in plain words why there is no OS: one OS line, the verdict, what was still found and what was checked', async () => {
    const { app, engine } = start();
    const noOs = {
      kind: 'truncated' as const,
      short: 'none readable: truncated capture',
      verdict: 'Truncated capture: the file ends before all the memory it declares.',
      found: ['Linux 6.1.0-56-amd64 found (VMCOREINFO at container note) but its page tables do not map the kernel text'],
      checked: ['no Windows x64 kernel found', 'content: 2.0 MiB read at 32 places'],
    };
    const warnings = ['file is truncated (134351045 bytes): 2 PT_LOAD segment(s) incomplete'];
    engine.openOutcome = { ok: true, value: { ...summary, os: null, osVersion: undefined, dtb: undefined, kernelBase: undefined, noOs, warnings } };
    await openImage(app);
    const view = await waitFor(() => pierce(app, 'image-summary'), 'summary');
    equal(pierce(view, 'dd.os')?.textContent, noOs.short);
    equal(pierce(view, '.no-os .verdict')?.textContent, noOs.verdict);
    deepEqual(
      pierceAll(app, 'image-summary', '.no-os ul.found li').map((li) => li.textContent),
      noOs.found,
    );
    deepEqual(
      pierceAll(app, 'image-summary', '.no-os ul.checked li').map((li) => li.textContent),
      noOs.checked,
    );
    deepEqual(
      pierceAll(app, 'image-summary', 'ul.warnings li').map((li) => li.textContent),
      warnings,
    );
  });

  it('hashes an image over 2 GiB on request only, and cancels the hashing on request', async () => {
    const { app, engine } = start();
    engine.openOutcome = { ok: true, value: { ...summary, fileSize: 2 * 1024 ** 3 + 1 } };
    engine.holdHashing = true;
    await openImage(app);
    const summaryView = await waitFor(() => pierce(app, 'image-summary'), 'summary');
    equal(engine.hashCalls, 0, 'not hashed on its own');
    pierce(summaryView, 'button.hash')!.click();
    await waitFor(() => summaryView.shadowRoot!.textContent!.includes('Hashing the file… 50 %'), 'progress');
    pierce(summaryView, 'button.cancel-hash')!.click();
    await waitFor(() => pierce(summaryView, 'button.hash'), 'the button offered again');
    equal(pierce(app, 'error-message'), null, 'a cancel is no failure');
    engine.holdHashing = false;
    pierce(summaryView, 'button.hash')!.click();
    await waitFor(() => summaryView.shadowRoot!.textContent!.includes(engine.hashes.sha256), 'the SHA-256 shown');
  });

  it('lists the plugins under what they answer, every one in view of the list (no inner scroll box)', async () => {
    const { app } = start();
    await openImage(app);
    const picker = await waitFor(() => pierce(app, 'plugin-picker'), 'the picker');
    const items = [...picker.shadowRoot!.querySelectorAll('li')];
    const order = items.map((li) => li.querySelector('h3')?.textContent ?? li.querySelector('button.entry')?.getAttribute('data-plugin'));
    ok(
      order.indexOf('Processes') < order.indexOf('windows.pslist') && order.indexOf('windows.pslist') < order.indexOf('windows.pstree'),
      order.join(' '),
    );
    deepEqual(
      items.filter((li) => li.querySelector('button.entry')).length,
      plugins.filter((p) => p.os === 'windows').length,
      'every plugin of the OS listed once',
    );
    const list = picker.shadowRoot!.querySelector('ul')!;
    equal(list.scrollHeight, list.clientHeight, 'the list does not scroll inside itself');
  });

  it('says that nothing is uploaded', async () => {
    const { app } = start();
    const zone = await waitFor(() => pierce(app, 'drop-zone'), 'drop zone');
    ok(zone.shadowRoot!.textContent!.includes('Analysed locally. Nothing is uploaded.'));
  });

  it('opens a dropped file and shows the summary', async () => {
    const { app, engine } = start();
    await openImage(app);
    deepEqual(engine.opened, [{ fileName: 'win10.raw', size: 4096 }]);
    const text = pierce(app, 'image-summary')!.shadowRoot!.textContent!;
    for (const expected of [
      'win10.raw',
      'raw',
      'Windows 10 2004–22H2 (10.0.19041)',
      '0x1aa000',
      '0xfffff80600000000',
      '16.0 MiB (16,777,216 bytes)',
      '15.0 MiB (15,728,640 bytes)',
      'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1',
      'physical memory ends before 0x1000000',
    ]) {
      ok(text.includes(expected), `summary shows ${expected}`);
    }
  });

  it('offers only the plugins for the image OS', async () => {
    const { app } = start();
    await openImage(app);
    const names = pierceAll(app, 'plugin-picker', 'button[data-plugin]').map((b) => b.dataset['plugin']);
    deepEqual(names, ['windows.pslist', 'windows.pstree', 'windows.psscan']);
  });

  it('renders rows as text: a hostile process name creates no element', async () => {
    const { app, engine } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    const rows = await waitFor(() => (renderedRows(table).length === 3 ? renderedRows(table) : undefined), 'three rendered rows');
    deepEqual(rows[2], ['1337', '92', HOSTILE_NAME, '0xffffad8b2f0a5080', 'True', '2024-03-01T10:05:00+00:00']);
    deepEqual(rows[0], ['4', '0', 'System', '0xffffad8b2e3c7080', 'False', 'N/A']);
    equal(table.shadowRoot!.querySelectorAll('img').length, 0, 'no <img> in the table');
    equal(document.querySelectorAll('img').length, 0, 'no <img> in the page');
    await new Promise((r) => setTimeout(r, 50));
    deepEqual(alerts, [], 'no script ran');
    deepEqual(engine.runs, [{ plugin: 'windows.pslist', options: { physical: false } }]);
    ok(pierce(app, '.result-state')!.textContent!.includes('3 rows in 1.2 s'));
  });

  it('passes typed options and rejects an integer that does not parse', async () => {
    const { app, engine } = start();
    await openImage(app);
    (await waitFor(() => pierce(app, 'plugin-picker', 'button[data-plugin="windows.pslist"]'), 'pslist')).click();
    const pid = await waitFor(() => pierce(app, 'plugin-picker', 'input[name=pid]') as HTMLInputElement | null, 'pid input');
    pid.value = 'twelve';
    pid.dispatchEvent(new Event('input'));
    const submit = () => pierce(app, 'plugin-picker', 'button[type=submit]')!.click();
    submit();
    await waitFor(() => pierce(app, 'plugin-picker', '.error'), 'option error');
    equal(engine.runs.length, 0);
    pid.value = '0x10, 4';
    pid.dispatchEvent(new Event('input'));
    submit();
    await waitFor(() => engine.runs.length === 1, 'run');
    deepEqual(engine.runs[0]!.options, { pid: [16, 4], physical: false });
  });

  it('labels columns as the engine says for the chosen options', async () => {
    const { app } = start();
    await openImage(app);
    (await waitFor(() => pierce(app, 'plugin-picker', 'button[data-plugin="windows.pslist"]'), 'pslist')).click();
    const physical = await waitFor(() => pierce(app, 'plugin-picker', 'input[name=physical]') as HTMLInputElement | null, 'physical box');
    physical.click();
    pierce(app, 'plugin-picker', 'button[type=submit]')!.click();
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => renderedRows(table).length === 3, 'rows');
    const headers = [...table.shadowRoot!.querySelectorAll('.grid-head button')].map((b) => b.textContent!.trim());
    deepEqual(headers, ['PID', 'PPID', 'ImageFileName', 'Offset(P)', 'Wow64', 'CreateTime']);
  });

  it('carries the view in the URL: Back/Forward return to a run and its filter, and a reload returns to it once the image is open', async () => {
    const base = `${location.pathname}${location.search}`;
    history.replaceState(null, '', base);
    const hashParams = () => new URLSearchParams(location.hash.slice(1));
    const filterOf = (app: MemscopeApp) => pierce(app, 'result-table', 'input[type=search]') as HTMLInputElement | null;
    try {
      const { app } = start();
      app.urlView = true;
      await openImage(app);
      await waitFor(() => hashParams().get('plugin') === 'windows.pstree', 'the process tree in the URL');
      const entries = history.length;
      await runPlugin(app, 'windows.pslist');
      await waitFor(() => hashParams().get('plugin') === 'windows.pslist' && filterOf(app), 'pslist in the URL');
      // Chromium keeps at most 50 entries (the test page's tab may hold earlier files' already).
      equal(history.length, Math.min(entries + 1, 50), 'a run shown is a new history entry');
      const filter = filterOf(app)!;
      filter.value = 'SYST';
      filter.dispatchEvent(new Event('input'));
      await waitFor(() => hashParams().get('filter') === 'SYST', 'the filter in the URL');
      equal(history.length, Math.min(entries + 1, 50), 'typing replaces the entry');

      history.back();
      await waitFor(() => pierce(app, '.result-head h2')?.textContent === 'windows.pstree', 'Back: the tree again');
      history.forward();
      await waitFor(
        () => pierce(app, '.result-head h2')?.textContent === 'windows.pslist' && filterOf(app)?.value === 'SYST',
        'Forward: pslist, filtered',
      );
      await waitFor(() => renderedRows(pierce(app, 'result-table')!).length === 1, 'one row shown');

      // Its row's process view, then a reload: the same image opened again shows that process; the tree is not run.
      const url = location.hash;
      app.remove();
      history.replaceState(null, '', `${base}${url.replace('pane=results', 'pane=process')}&process=92`);
      const again = start();
      again.app.urlView = true;
      dropFiles(await waitFor(() => pierce(again.app, 'drop-zone', '.zone'), 'drop zone'), [new File([new Uint8Array(4096)], 'win10.raw')]);
      const view = await waitFor(() => pierce(again.app, 'process-view'), 'the process view the URL names');
      ok(!view.hidden, 'shown');
      ok(pierce(again.app, 'button[data-tab=process]')!.textContent!.includes('Process 92'));
      await waitFor(() => again.engine.runs.some((r) => r.plugin === 'windows.pslist' && Object.keys(r.options).length === 0), 'pslist run');
      ok(!again.engine.runs.some((r) => r.plugin === 'windows.pstree'), 'the URL’s run instead of the tree');
      pierce(again.app, 'button[data-tab=results]')!.click();
      await waitFor(() => filterOf(again.app)?.value === 'SYST', 'its filter');
      await waitFor(() => renderedRows(pierce(again.app, 'result-table')!).length === 1, 'one row shown');
      equal(hashParams().get('pane'), 'results');
    } finally {
      history.replaceState(null, '', base);
    }
  });

  it('merges the runs’ timestamps into one timeline, oldest first, each event once with the plugins that saw it, and exports it', async () => {
    const { app } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('3 rows'), 'the run done');
    pierce(app, 'button[data-tab=timeline]')!.click();
    const view = await waitFor(() => pierce(app, 'timeline-view'), 'the timeline');
    const table = await waitFor(() => view.shadowRoot!.querySelector('result-table'), 'its table');
    await waitFor(() => renderedRows(table).length === 2, 'two events');
    deepEqual(
      renderedRows(table).map((r) => [r[0], r[1], r[2], r[3], r[5]]),
      [
        ['2024-03-01T10:00:01+00:00', 'CreateTime', '92', 'Registry', 'windows.pstree, windows.pslist'],
        ['2024-03-01T10:05:00+00:00', 'CreateTime', '1337', HOSTILE_NAME, 'windows.pstree, windows.pslist'],
      ],
    );
    ok(view.shadowRoot!.textContent!.includes('2 events from windows.pstree, windows.pslist'));
    const csv = await (
      await captureDownload(() =>
        view.shadowRoot!.querySelector<HTMLElement>('export-buttons')!.shadowRoot!.querySelector<HTMLElement>('button.csv')!.click(),
      )
    ).blob.text();
    const lines = csv.trimEnd().split('\r\n');
    equal(lines[0], 'TreeDepth,Time,Event,PID,Process,Details,Source');
    ok(
      lines.some((l) => l.startsWith('#plugin,memscope.timeline')),
      lines.join('\n'),
    );
  });

  it('marks psscan’s hidden processes (not in the process tree) and exited ones, and filters to them with is:hidden', async () => {
    const scanColumns = [...processColumns, { name: 'ExitTime', type: 'datetime' as const }];
    const live = pstreeRows.map((r) => ({ depth: 0, values: [...r.values, null] }));
    const unlinked = { depth: 0, values: [2024, 4, 'rootkit.exe', 0xffffad8b2f0b0000n, false, '2024-03-01T10:06:00+00:00', null] };
    const gone = { depth: 0, values: [3000, 4, 'cmd.exe', 0xffffad8b2f0c0000n, false, '2024-03-01T10:07:00+00:00', '2024-03-01T10:08:00+00:00'] };
    const { app, engine } = start({ 'windows.psscan': { rows: [...live, unlinked, gone] } });
    engine.pluginList = engine.pluginList.map((p) => (p.name === 'windows.psscan' ? { ...p, columns: scanColumns } : p));
    await openImage(app);
    await runPlugin(app, 'windows.psscan');
    const table = await waitFor(() => pierce(app, 'result-table'), 'the scan’s table');
    await waitFor(() => renderedRows(table).length === 6, 'its rows');
    const marked = (cls: string) =>
      [...table.shadowRoot!.querySelectorAll(`.grid-row.${cls}`)].map((r) => r.querySelectorAll('[role=gridcell]')[2]!.textContent);
    deepEqual(marked('mark-hidden'), ['rootkit.exe', 'cmd.exe']);
    deepEqual(marked('mark-exited'), ['cmd.exe']);
    equal(
      table.shadowRoot!.querySelector('.grid-row.mark-hidden')!.getAttribute('aria-description'),
      'Hidden: found in memory but not on the active process list',
    );
    const legend = [...table.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.legend')];
    deepEqual(
      legend.map((b) => b.textContent!.trim()),
      ['2 hidden', '1 exited'],
    );
    legend[0]!.click();
    await waitFor(() => renderedRows(table).length === 2, 'only the hidden ones');
    equal(table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!.value, 'is:hidden');
  });

  it('sorts by a column on header click and filters rows', async () => {
    const { app } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => renderedRows(table).length === 3, 'rows');
    const header = (name: string) =>
      [...table.shadowRoot!.querySelectorAll<HTMLButtonElement>('.grid-head button')].find((b) => b.textContent!.trim().startsWith(name))!;
    header('Offset(V)').click();
    await waitFor(() => renderedRows(table)[0]![2] === 'Registry', 'ascending by offset');
    deepEqual(
      renderedRows(table).map((r) => r[2]),
      ['Registry', 'System', HOSTILE_NAME],
    );
    header('Offset(V)').click();
    await waitFor(() => renderedRows(table)[0]![2] === HOSTILE_NAME, 'descending by offset');
    const filter = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
    filter.value = 'SYST';
    filter.dispatchEvent(new Event('input'));
    await waitFor(() => renderedRows(table).length === 1, 'filtered');
    equal(renderedRows(table)[0]![2], 'System');
    equal(table.shadowRoot!.querySelector('.count')!.textContent, '3 rows (1 shown)');
  });

  it('shows a tree plugin indented, collapses it, and exports JSON with __children', async () => {
    const { app } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pstree');
    const tree = await waitFor(() => pierce(app, 'process-tree'), 'process tree');
    await waitFor(() => renderedRows(tree).length === 4, 'tree rows');
    const levels = [...tree.shadowRoot!.querySelectorAll('.grid-row')].map((r) => r.getAttribute('aria-level'));
    deepEqual(levels, ['1', '2', '3', '1']);
    tree.shadowRoot!.querySelector<HTMLButtonElement>('.toggle')!.click();
    await waitFor(() => renderedRows(tree).length === 2, 'collapsed System');
    deepEqual(
      renderedRows(tree).map((r) => r[2]),
      ['System', 'Idle'],
    );

    const saved = await captureDownload(() => pierce(app, 'export-buttons', 'button.json')!.click());
    equal(saved.name, 'win10.raw-windows.pstree.json');
    const text = await saved.blob.text();
    ok(text.includes('"Offset(V)": 18446744073709551615'), 'exact 2^64 - 1');
    const parsed = (JSON.parse(text) as { rows: { ImageFileName: string; __children: { ImageFileName: string; __children: unknown[] }[] }[] }).rows;
    deepEqual(
      parsed.map((n) => n.ImageFileName),
      ['System', 'Idle'],
    );
    equal(parsed[0]!.__children[0]!.ImageFileName, 'Registry');
    equal((parsed[0]!.__children[0]!.__children[0] as { ImageFileName: string }).ImageFileName, HOSTILE_NAME);

    const csv = await captureDownload(() => pierce(app, 'export-buttons', 'button.csv')!.click());
    equal(csv.name, 'win10.raw-windows.pstree.csv');
    equal((await csv.blob.text()).split('\r\n')[3], `2,1337,92,<img src=x onerror=alert(1)>,0xffffad8b2f0a5080,True,2024-03-01T10:05:00+00:00`);
  });

  it('exports all rows, or — chosen explicitly when a filter is on — the rows shown, in their order', async () => {
    const { app } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => renderedRows(table).length === 3, 'rows');
    equal(pierce(app, 'export-buttons', 'select'), null, 'no choice while nothing is filtered or sorted');
    const filter = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
    filter.value = 'pid:>90';
    filter.dispatchEvent(new Event('input'));
    await waitFor(() => renderedRows(table).length === 2, 'the filtered rows');
    const select = await waitFor(() => pierce(app, 'export-buttons', 'select') as HTMLSelectElement | null, 'the choice of rows');
    equal(select.value, 'all', 'all rows unless chosen otherwise');
    const lines = async () =>
      (await (await captureDownload(() => pierce(app, 'export-buttons', 'button.csv')!.click())).blob.text())
        .trim()
        .split('\r\n')
        .filter((line) => !line.startsWith('#'));
    equal((await lines()).length, 1 + 3);
    select.value = 'shown';
    select.dispatchEvent(new Event('change'));
    await waitFor(() => select.value === 'shown', 'chosen');
    equal((await lines()).length, 1 + 2);
  });

  it('ends every export with its metadata: image, hashes, versions, options, run, which rows', async () => {
    const { app, engine } = start();
    await openImage(app);
    const summaryView = await waitFor(() => pierce(app, 'image-summary'), 'summary');
    await waitFor(() => summaryView.shadowRoot!.textContent!.includes(engine.hashes.sha256), 'the hashes computed on opening');
    await runPlugin(app, 'windows.pslist');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('3 rows'), 'the run done');
    const filter = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
    filter.value = 'pid:>90';
    filter.dispatchEvent(new Event('input'));
    const select = await waitFor(() => pierce(app, 'export-buttons', 'select') as HTMLSelectElement | null, 'the choice of rows');
    select.value = 'shown';
    select.dispatchEvent(new Event('change'));
    await waitFor(() => select.value === 'shown', 'chosen');
    const save = async (format: string) => (await captureDownload(() => pierce(app, 'export-buttons', `button.${format}`)!.click())).blob.text();

    const json = JSON.parse(await save('json')) as { rows: unknown[]; metadata: Record<string, unknown> };
    equal(json.rows.length, 2);
    const pslist = plugins.find((p) => p.name === 'windows.pslist')!;
    const { runStarted, runSeconds, exportedAt, ...rest } = json.metadata;
    deepEqual(rest, {
      memscopeVersion: MEMSCOPE_VERSION,
      imageFile: 'win10.raw',
      imageSize: summary.fileSize,
      imageSha256: engine.hashes.sha256,
      imageMd5: engine.hashes.md5,
      plugin: 'windows.pslist',
      pluginVersion: pslist.version,
      options: { physical: false },
      runStatus: 'complete',
      rowSelection: 'shown',
      rowFilter: 'pid:>90',
      rowOrder: null,
      rowCount: 2,
      totalRows: 3,
    });
    ok(typeof runSeconds === 'number' && runSeconds >= 0, `runSeconds ${runSeconds}`);
    for (const date of [runStarted, exportedAt]) ok(typeof date === 'string' && Math.abs(Date.parse(date) - Date.now()) < 60_000, `${date} is now`);

    // JSONL: the rows, then one metadata line; CSV: the rows, then one "#field,value" row per field, as wide as the header.
    const jsonl = (await save('jsonl')).trimEnd().split('\n');
    equal(jsonl.length, 2 + 1);
    const { exportedAt: _, ...jsonlMetadata } = (JSON.parse(jsonl[2]!) as { metadata: Record<string, unknown> }).metadata;
    deepEqual(jsonlMetadata, { ...rest, runStarted, runSeconds });
    const csv = (await save('csv')).trimEnd().split('\r\n');
    const width = csv[0]!.split(',').length;
    const meta = csv.filter((line) => line.startsWith('#'));
    equal(csv.length - meta.length, 1 + 2, 'header and the rows shown');
    ok(
      meta.every((line) => line.split(',').length === width),
      meta.join('\n'),
    );
    ok(meta.includes(`#imageSha256,${engine.hashes.sha256}${','.repeat(width - 2)}`), meta.join('\n'));
    ok(meta.includes(`#memscopeVersion,${MEMSCOPE_VERSION}${','.repeat(width - 2)}`), meta.join('\n'));
    ok(meta.includes(`#rowSelection,shown${','.repeat(width - 2)}`), meta.join('\n'));
  });

  it('shows progress while a job runs and cancels it', async () => {
    const { app, engine } = start({ 'windows.psscan': { rows: pslistRows.slice(0, 1), hold: true } });
    await openImage(app);
    await runPlugin(app, 'windows.psscan');
    const progress = await waitFor(() => pierce(app, 'job-progress'), 'progress');
    await waitFor(() => progress.shadowRoot!.textContent!.includes('Scanning'), 'stage shown');
    ok(progress.shadowRoot!.textContent!.includes('50 bytes of 200 bytes (25 %)'));
    progress.shadowRoot!.querySelector('button')!.click();
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('cancelled'), 'cancelled state');
    // job-1 was the process tree the page showed on opening.
    deepEqual(engine.cancelled, ['job-2']);
    equal(pierce(app, 'job-progress'), null);
    const table = pierce(app, 'result-table')!;
    await waitFor(() => renderedRows(table).length === 1, 'partial rows kept');
  });

  it('asks for missing symbols, adds the dropped file and retries the run', async () => {
    const missing = { kind: 'pdb' as const, pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 };
    const { app, engine } = start({
      'windows.pslist': { rows: [], failure: { code: 'SYMBOLS_MISSING', message: 'Symbols needed', missingSymbols: missing } },
    });
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    const request = await waitFor(() => pierce(app, 'symbol-request'), 'symbol request');
    const text = request.shadowRoot!.textContent!;
    ok(text.includes('606FF669409B00F7FC8C61A9C1670129'));
    ok(text.includes('606FF669409B00F7FC8C61A9C1670129-1.json.xz'));
    equal(pierce(app, 'error-message'), null, 'no second error box');
    engine.scripts['windows.pslist'] = { rows: pslistRows };
    dropFiles(pierce(request, 'drop-zone', '.zone')!, [new File(['{}'], '606FF669409B00F7FC8C61A9C1670129-1.json.xz')]);
    await waitFor(() => pierce(app, 'result-table') && renderedRows(pierce(app, 'result-table')!).length === 3, 'rows after retry');
    deepEqual(engine.symbolFiles, ['606FF669409B00F7FC8C61A9C1670129-1.json.xz']);
    equal(engine.runs.filter((r) => r.plugin === 'windows.pslist').length, 2, 'run, then run again after the symbols');
    equal(engine.opened.length, 2, 'reopened to refresh the summary');
    equal(pierce(app, 'symbol-request'), null);
  });

  it('asks for symbols right after opening when the summary says they are missing', async () => {
    const { app, engine } = start();
    const missing = { kind: 'pdb' as const, pdbName: 'ntkrnlmp.pdb', guid: '0CE4A95C0CD782A7596B034D8648E585', age: 1 };
    engine.openOutcome = { ok: true, value: { ...summary, missingSymbols: missing } };
    await openImage(app);
    const request = await waitFor(() => pierce(app, 'symbol-request'), 'symbol request');
    ok(request.shadowRoot!.textContent!.includes('0CE4A95C0CD782A7596B034D8648E585'));
  });

  it('a kernel symbol file for another build is kept, and the page says which build the image needs', async () => {
    const { app, engine } = start();
    const missing = { kind: 'pdb' as const, pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 };
    engine.openOutcome = { ok: true, value: { ...summary, missingSymbols: missing } };
    await openImage(app);
    engine.symbolOutcome = { ok: true, value: ['ntkrnlmp.pdb/0CE4A95C0CD782A7596B034D8648E585-1'] };
    dropFiles(pierce(app, 'symbol-request', 'drop-zone', '.zone')!, [new File(['{}'], 'ntkrnlmp.json.xz')]);
    const notice = await waitFor(() => pierce(app, '.notice'), 'the notice');
    equal(
      notice.textContent,
      'The ntkrnlmp.pdb you added is for another build (GUID 0CE4A95C0CD782A7596B034D8648E585 age 1); this image needs GUID 606FF669409B00F7FC8C61A9C1670129 age 1. It is kept for images of that build.',
    );
    ok(pierce(app, 'symbol-request'), 'the image still asks for its own');
  });

  it('greys out the plugins that lack the symbols and makes them runnable once the symbols are dropped', async () => {
    const { app, engine } = start();
    const missing = { kind: 'pdb' as const, pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 };
    const reason = 'needs the symbol table ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1 — drop it or use a symbol pack';
    engine.openOutcome = { ok: true, value: { ...summary, missingSymbols: missing } };
    engine.pluginList = plugins.map((p) => ({ ...p, unmet: p.os === 'windows' ? [reason] : [] }));
    await openImage(app);
    const greyed = () => pierceAll(app, 'plugin-picker', 'button[aria-disabled=true]').map((b) => b.dataset['plugin']);
    deepEqual(greyed(), ['windows.pslist', 'windows.pstree', 'windows.psscan']);
    (await waitFor(() => pierce(app, 'plugin-picker', 'button[data-plugin="windows.pslist"]'), 'pslist')).click();
    await waitFor(() => pierce(app, 'plugin-picker', '.unmet')?.textContent?.includes(reason), 'the reason shown');
    equal((pierce(app, 'plugin-picker', 'button[type=submit]') as HTMLButtonElement).disabled, true);

    // The symbols meet the requirement: the engine's list says so once the image is reopened with them.
    engine.openOutcome = { ok: true, value: summary };
    engine.pluginList = plugins;
    dropFiles(pierce(app, 'symbol-request', 'drop-zone', '.zone')!, [new File(['{}'], '606FF669409B00F7FC8C61A9C1670129-1.json.xz')]);
    await waitFor(() => pierce(app, 'symbol-request') === null && pierce(app, 'plugin-picker'), 'reopened with the symbols');
    deepEqual(greyed(), []);
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => engine.runs.length === 1, 'the plugin runs');
  });

  it('a Linux kernel without BTF: names the kernel, takes the dropped ISF and reopens', async () => {
    const { app, engine } = start();
    const banner = 'Linux version 5.10.0-8-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 5.10.46-4';
    const missing = {
      kind: 'linux' as const,
      release: '5.10.0-8-amd64',
      banner,
      reason: 'Linux 5.10.0-8-amd64: this kernel carries no BTF type information\nmore',
    };
    engine.openOutcome = { ok: true, value: { ...summary, os: 'linux', osVersion: 'Linux 5.10.0-8-amd64', missingSymbols: missing } };
    await openImage(app);
    const request = await waitFor(() => pierce(app, 'symbol-request'), 'symbol request');
    equal(pierce(request, 'code.banner')?.textContent, banner);
    ok(request.shadowRoot!.textContent!.includes('linux-image-5.10.0-8-amd64-dbg'), 'names the debug package');
    ok(pierce(request, '.reason')!.textContent!.includes('no BTF'), 'says why');
    engine.openOutcome = { ok: true, value: { ...summary, os: 'linux', osVersion: 'Linux 5.10.0-8-amd64' } };
    dropFiles(pierce(request, 'drop-zone', '.zone')!, [new File(['{}'], 'debian-5.10.json.xz')]);
    await waitFor(() => pierce(app, 'symbol-request') === null, 'symbol request gone after reopening');
    deepEqual(engine.symbolFiles, ['debian-5.10.json.xz']);
    equal(engine.opened.length, 2, 'reopened with the symbols');
  });

  it('the registry pane says plainly why it is empty: a Linux image, no OS found, printkey unable to run', async () => {
    const registryText = async (app: MemscopeApp) => {
      await openImage(app);
      (await waitFor(() => pierce(app, 'button[data-tab=registry]'), 'the Registry tab')).click();
      return waitFor(() => pierce(app, '.registry-pane .registry-absent')?.textContent, 'why there is no registry');
    };
    const linux = start();
    linux.engine.openOutcome = { ok: true, value: { ...summary, os: 'linux', osVersion: 'Linux 6.1.0-13-amd64' } };
    ok((await registryText(linux.app)).includes('this is a Linux 6.1.0-13-amd64 image, which has none'));
    equal(pierce(linux.app, 'registry-browser'), null);
    const none = start();
    none.engine.openOutcome = { ok: true, value: { ...summary, os: null, osVersion: undefined } };
    ok((await registryText(none.app)).includes('No operating system was found in this image'));
    // The fake Windows image offers no registry plugin.
    ok((await registryText(start().app)).includes('windows.registry.printkey is not available'));
  });

  it('shows a typed error as a clear message', async () => {
    const { app, engine } = start();
    engine.openOutcome = { ok: false, error: { code: 'UNKNOWN_FORMAT', message: 'win10.raw: not a memory image (no known header)' } };
    const zone = await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone');
    dropFiles(zone, [new File(['hello'], 'win10.raw')]);
    const error = await waitFor(() => pierce(app, 'error-message'), 'error message');
    const text = error.shadowRoot!.textContent!;
    ok(text.includes('Not a memory image memscope can read'));
    ok(text.includes('not a memory image (no known header)'));
    equal(error.shadowRoot!.querySelector('details'), null, 'no technical details for a data error');
    equal(pierce(app, 'image-summary'), null);
  });

  it('shows an internal error as a bug, its stack as text in collapsed technical details', async () => {
    const { app, engine } = start();
    const message = `This is a bug in memscope — please report it, with the steps that led to it: ${HOSTILE_NAME}`;
    const stack = `TypeError: ${HOSTILE_NAME}\n    at openSession (session.ts:70:5)`;
    engine.openOutcome = { ok: false, error: { code: 'INTERNAL', message, stack } };
    dropFiles(await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone'), [new File(['hello'], 'win10.raw')]);
    const root = (await waitFor(() => pierce(app, 'error-message'), 'error message')).shadowRoot!;
    equal(root.querySelector('strong')!.textContent, 'memscope hit an internal error');
    equal(root.querySelector('.message')!.textContent, message);
    const details = root.querySelector('details')!;
    equal(details.open, false, 'collapsed');
    equal(details.querySelector('summary')!.textContent, 'Technical details');
    equal(details.querySelector('pre')!.textContent, stack);
    equal(root.querySelectorAll('img').length, 0, 'no <img> from the message or the stack');
    await new Promise((r) => setTimeout(r, 50));
    deepEqual(alerts, [], 'no script ran');
  });

  it('lists the run’s warnings beside its rows, as text: code, message, count; an address opens kernel memory', async () => {
    const warnings: CountedWarning[] = [
      { code: 'SMEAR', message: `process list loops back at ${HOSTILE_NAME}: walk stopped`, address: '0xffffad8b2f0a5080', count: 1 },
      { code: 'UNREADABLE', message: 'a mount on the path of usr/lib/libc.so.6 is not readable', count: 7 },
    ];
    const { app, engine } = start({ 'windows.pslist': { rows: pslistRows, warnings } });
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    const list = await waitFor(() => pierce(app, 'run-warnings'), 'the warnings list');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => renderedRows(table).length === 3, 'the rows beside the warnings');
    equal(pierce(app, '.result-head .warning-count')!.textContent, '2 warnings');
    const items = [...list.shadowRoot!.querySelectorAll('li')];
    deepEqual(
      items.map((li) => li.querySelector('.code')!.textContent),
      ['SMEAR', 'UNREADABLE'],
    );
    deepEqual(
      items.map((li) => li.querySelector('.message')!.textContent),
      warnings.map((w) => w.message),
    );
    deepEqual(
      items.map((li) => li.querySelector('.count')?.textContent ?? null),
      [null, '(×7)'],
    );
    deepEqual(
      items.map((li) => li.querySelector('button.address')?.textContent ?? null),
      ['0xffffad8b2f0a5080', null],
    );
    equal(document.querySelectorAll('img').length + list.shadowRoot!.querySelectorAll('img').length, 0, 'no <img> from a message');
    await new Promise((r) => setTimeout(r, 50));
    deepEqual(alerts, [], 'no script ran');

    items[0]!.querySelector<HTMLButtonElement>('button.address')!.click();
    await waitFor(() => engine.memoryReads.length === 1, 'a read');
    deepEqual(engine.memoryReads[0], { space: 'kernel', address: '0xffffad8b2f0a5080', length: 4096 });
    ok(!pierce(app, 'hex-view')!.hidden, 'the hex view is shown');
  });

  it('keeps the warnings of a run that failed beside its partial rows', async () => {
    const warnings: CountedWarning[] = [
      { code: 'UNREADABLE', message: '_EPROCESS not readable: process list truncated', address: '0xffffad8b2f0a5080', count: 1 },
    ];
    const { app } = start({ 'windows.pslist': { rows: pslistRows, failure: { code: 'CORRUPT', message: 'the page tables are damaged', warnings } } });
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('failed'), 'the run failed');
    const list = await waitFor(() => pierce(app, 'run-warnings'), 'the warnings list');
    equal(pierce(app, '.result-head .warning-count')!.textContent, '1 warning');
    deepEqual(
      [...list.shadowRoot!.querySelectorAll('li .message')].map((m) => m.textContent),
      [warnings[0]!.message],
    );
  });

  it('shows no warnings for a run that had none', async () => {
    const { app } = start();
    await openImage(app);
    await runPlugin(app, 'windows.pslist');
    await waitFor(() => pierce(app, '.result-state')?.textContent?.includes('3 rows'), 'the run done');
    equal(pierce(app, 'run-warnings'), null);
    equal(pierce(app, '.warning-count'), null);
  });
});
