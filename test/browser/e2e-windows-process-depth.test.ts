import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import { AppFrame, cellTexts, openGeneratedWindows, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { waitFor } from './dom.ts';

// The per-process Windows plugins in the built app on a generated image, each checked against the generator's
// truth for one process (--pid, as an analyst narrows a question): loaded modules, environment, SIDs, privileges,
// handles; malfind over every process and psxview's cross-view of them.
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

describe('end to end: per-process Windows plugins in the built app', function () {
  this.timeout(60000);
  let fixture: WindowsFixture;
  let app: AppFrame;
  /** A running user process with loaded modules, an environment and a token. */
  let subject: ExpectedProcess;

  before(async () => {
    fixture = await windowsFixture(SIZE, SEED);
    app = await openGeneratedWindows(fixture);
    subject = fixture.expected.processes.find((p) => p.linked && p.dlls?.length && p.environment?.variables?.length && p.token)!;
    ok(subject, 'the image has a process with modules, environment and token');
  });

  after(() => app?.close());

  it('windows.dlllist --pid lists its modules in load order: base, name, path', async () => {
    const table = await app.run('windows.dlllist', 20000, { pid: String(subject.pid) });
    const expected = subject.dlls!.filter((d) => d.inLoad);
    equal(rowCount(table).total, expected.length);
    deepEqual(
      (await app.records(table)).map((r) => [r['PID'], r['Base'], r['Name'], r['Path']]),
      expected.map((d) => [String(subject.pid), d.base, d.name, d.path]),
    );
  });

  it('windows.ldrmodules --pid marks the unlinked DLL: in the init and memory lists, not the load list', async () => {
    const explorer = fixture.expected.processes.find((p) => p.linked && p.dlls?.some((d) => !d.inLoad))!;
    ok(explorer, 'a process with a DLL unlinked from the load list');
    const table = await app.run('windows.ldrmodules', 20000, { pid: String(explorer.pid) });
    const listed = await app.records(table);
    const unlinked = explorer.dlls!.find((d) => !d.inLoad)!;
    deepEqual(
      listed.filter((r) => r['Base'] === unlinked.base).map((r) => [r['InLoad'], r['InInit'], r['InMem']]),
      [['False', 'True', 'True']],
    );
    equal(listed.length, explorer.dlls!.length - 1, 'every DLL (the image has no mapped header here)');
  });

  it('windows.envars --pid lists its variables as the block holds them', async () => {
    const table = await app.run('windows.envars', 20000, { pid: String(subject.pid) });
    deepEqual(
      (await app.records(table)).map((r) => [r['Variable'], r['Value']]),
      subject.environment!.variables!.filter(([name, value]) => name && value),
    );
  });

  it('windows.getsids --pid gives its user and groups, windows.privileges its held privileges', async () => {
    const sids = await app.run('windows.getsids', 20000, { pid: String(subject.pid) });
    const token = subject.token!;
    deepEqual(
      (await app.records(sids)).map((r) => r['SID']),
      [token.user, ...token.groups.map((g) => g.sid)],
    );
    const privileges = await app.run('windows.privileges', 20000, { pid: String(subject.pid) });
    const held = (await app.records(privileges)).filter((r) => r['Attributes'] !== '');
    deepEqual(
      held.map((r) => Number(r['Value'])),
      token.privileges.filter((p) => p.present).map((p) => p.value),
    );
  });

  it('windows.handles --pid lists its handle table: type and name of each object', async () => {
    const table = await app.run('windows.handles', 20000, { pid: String(subject.pid) });
    deepEqual(
      (await app.records(table)).map((r) => [r['Type'], r['Name']]),
      subject.handleEntries!.map((h) => [h.type, h.name]),
    );
  });

  it('windows.malfind finds the injected PE image, and only that', async () => {
    const injected = fixture.expected.processes.filter((p) => p.linked && p.malfind?.length);
    ok(injected.length > 0, 'the image has injected code');
    const table = await app.run('windows.malfind');
    const listed = await app.records(table);
    deepEqual(
      listed.map((r) => [r['PID'], r['Start VPN'], r['Notes']]),
      injected.flatMap((p) => p.malfind!.map((m) => [String(p.pid), m.start, 'MZ header'])),
    );
    // Disasm is disassembled in the engine worker by the lazily loaded app/disassembler.js + capstone.wasm (hex pairs
    // if they fail to load): "\n0x<start>:\tpop\tr10\n…" ("MZ" as 64-bit code), shown as text with its newlines kept.
    const start = injected[0]!.malfind![0]!.start;
    const disasmCell = [...table.shadowRoot!.querySelectorAll('[role=gridcell]')].find((c) => c.textContent?.includes('\tpop\tr10'))!;
    const disasm = disasmCell.getAttribute('title')!;
    ok(disasm.startsWith(`\n${start}:\tpop\tr10\n`), `Disasm: ${JSON.stringify(disasm)}`);
    equal(getComputedStyle(disasmCell).whiteSpace, 'pre');
    // A row is one line: the cell shows the first instruction and "…"; clicking the row shows every value in full.
    equal(listed[0]!['Disasm'], `${start}:\tpop\tr10 …`);
    (disasmCell as HTMLElement).click();
    const details = await waitFor(() => table.shadowRoot!.querySelector('dl.row-details'), 'the clicked row shown in full');
    const value = (name: string) =>
      [...details!.querySelectorAll('dt')].find((dt) => dt.textContent === name)?.nextElementSibling?.querySelector('.value')?.textContent;
    equal(value('Disasm'), disasm.replace(/^\n+/, ''));
    equal(value('Hexdump')!.split('\n').length, 4, 'the 64-byte hexdump: 4 lines of 16 bytes');
    ok(value('Hexdump')!.startsWith('4d 5a '), `Hexdump: ${value('Hexdump')}`);
  });

  it('windows.psxview shows every process once, the hidden one in every view but pslist, the session lists’ members', async () => {
    const table = await app.run('windows.psxview', 30000);
    const listed = await app.records(table);
    equal(listed.length, fixture.expected.processes.length);
    const hidden = fixture.expected.processes.find((p) => p.hidden)!;
    // The session view (memscope's own): on a session's ProcessList as the generator linked them, the hidden process included.
    const onSessionList = (pid: number) => fixture.expected.sessions.some((s) => s.pids.includes(pid));
    const byPid = (a: string[], b: string[]) => Number(a[0]) - Number(b[0]);
    deepEqual(
      listed.map((r) => [r['PID']!, r['session']!]).sort(byPid),
      fixture.expected.processes.map((p) => [String(p.pid), onSessionList(p.pid) ? 'True' : 'False']).sort(byPid),
    );
    deepEqual(
      listed
        .filter((r) => r['PID'] === String(hidden.pid))
        .map((r) => [r['Name'], r['pslist'], r['psscan'], r['thrdscan'], r['csrss'], r['session']]),
      [[hidden.name, 'False', 'True', 'True', 'True', onSessionList(hidden.pid) ? 'True' : 'False']],
    );
  });

  it('the process view: a double-click in the process tree shows everything about it, a hidden process found by psscan is said to be off the list', async () => {
    const tree = await app.run('windows.pstree', 20000);
    const pidColumn = [...tree.shadowRoot!.querySelectorAll('[role=columnheader]')].findIndex((h) => h.textContent!.trim() === 'PID');
    const row = (await app.allRows(tree)).find((r) => cellTexts(r)[pidColumn]!.trim() === String(subject.pid))!;
    row.querySelectorAll('[role=gridcell]')[1]!.dispatchEvent(new MouseEvent('dblclick', { bubbles: true, composed: true }));
    const view = await waitFor(() => app.find('process-view'), 'the process view');
    await waitFor(() => app.find('nav.tabs button[data-tab=process]')?.getAttribute('aria-selected') === 'true', 'the Process tab');
    equal(view.shadowRoot!.querySelector('h2')!.textContent, `Process ${subject.pid} — ${subject.name.slice(0, 14)}`);
    const section = async (plugin: string) => {
      const details = await waitFor(() => view.shadowRoot!.querySelector<HTMLDetailsElement>(`details[data-plugin="${plugin}"]`), plugin);
      details.open = true;
      return waitFor(() => details.querySelector('result-table'), `${plugin} rows`, 20000);
    };
    deepEqual(
      (await app.records(await section('windows.pslist'))).map((r) => [r['PID'], r['PPID']]),
      [[String(subject.pid), String(subject.ppid)]],
    );
    deepEqual(
      (await app.records(await section('windows.cmdline'))).map((r) => r['Args']),
      [subject.commandLine],
    );
    equal(rowCount(await section('windows.dlllist')).total, subject.dlls!.filter((d) => d.inLoad).length);

    const hidden = fixture.expected.processes.find((p) => p.hidden)!;
    const scan = await app.run('windows.psscan', 20000);
    const scanned = (await app.allRows(scan)).find((r) => cellTexts(r)[0]!.trim() === String(hidden.pid))!;
    scanned.querySelector<HTMLElement>('[role=gridcell]')!.click();
    (await waitFor(() => scan.shadowRoot!.querySelector<HTMLButtonElement>('button.open-process'), 'the Process view button')).click();
    await waitFor(() => view.shadowRoot!.querySelector('h2')?.textContent?.startsWith(`Process ${hidden.pid}`), 'the hidden process');
    const unlisted = await waitFor(() => view.shadowRoot!.querySelector('details[data-plugin="windows.pslist"] .unlisted'), 'off the list', 20000);
    ok(unlisted.textContent!.includes('hidden'));
  });
});
