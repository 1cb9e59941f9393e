import '../../src/ui/result-table.ts';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';
import { TableModel } from '../../src/ui/table-model.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { clearBody, mount, renderedRows, waitFor } from './dom.ts';

const columns: Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'Name', type: 'str' },
  { name: 'Offset', type: 'hex' },
];

const N = 100_000;
const BASE = 0xffff800000000000n;

/** Row k holds PID k, name proc-k, offset BASE + k·0x1000; rows are stored in a scrambled order (7919 is coprime to N). */
function bigResult(): PluginRow[] {
  return Array.from({ length: N }, (_, i) => {
    const k = (i * 7919) % N;
    return { depth: 0, values: [k, `proc-${k}`, BASE + BigInt(k) * 0x1000n] };
  });
}

describe('result-table', () => {
  afterEach(clearBody);

  it('renders 100k rows virtualized, sorts them and filters them', async () => {
    const table = mount(document.createElement('result-table'));
    table.columns = columns;
    table.rows = bigResult();
    await waitFor(() => renderedRows(table).length > 0, 'first rows');
    const domRows = renderedRows(table).length;
    ok(domRows < 300, `only a window of rows is in the DOM (${domRows})`);
    equal(table.shadowRoot!.querySelector('.count')!.textContent, '100000 rows (100000 shown)');

    const headers = table.shadowRoot!.querySelectorAll<HTMLButtonElement>('.grid-head button');
    headers[2]!.click();
    headers[2]!.click();
    await waitFor(() => renderedRows(table)[0]?.[0] === String(N - 1), 'largest offset first');
    deepEqual(renderedRows(table)[0], [String(N - 1), `proc-${N - 1}`, '0xffff80001869f000']);

    const filter = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
    filter.value = 'proc-9999';
    filter.dispatchEvent(new Event('input'));
    // proc-9999 and proc-99990 … proc-99999, still sorted by offset descending.
    await waitFor(() => table.shadowRoot!.querySelector('.count')!.textContent === '100000 rows (11 shown)', 'filter count');
    await waitFor(() => renderedRows(table).length === 11, 'filtered rows');
    deepEqual(
      renderedRows(table).map((r) => r[0]),
      ['99999', '99998', '99997', '99996', '99995', '99994', '99993', '99992', '99991', '99990', '9999'],
    );
  });

  it('filters by column: comparisons on numbers and addresses, text on the rest; words naming no column stay text', () => {
    const rows: PluginRow[] = [
      { depth: 0, values: [4, 'System', BASE] },
      { depth: 0, values: [1012, 'svchost.exe', BASE + 0x2000n] },
      { depth: 0, values: [1324, 'svchost.exe', BASE + 0x3000n] },
      { depth: 0, values: [2340, 'C:\\Windows\\explorer.exe', null] },
    ];
    const model = new TableModel(columns, rows);
    const pids = (query: string) => model.view(query, undefined).map((r) => r.values[0]);
    deepEqual(pids('pid:>1000'), [1012, 1324, 2340]);
    deepEqual(pids('pid:>1000 name:svchost'), [1012, 1324]);
    deepEqual(pids('name:SVC pid:<=1012'), [1012]);
    deepEqual(pids('offset:>=0xffff800000002000'), [1012, 1324], 'addresses compare by value; N/A passes no comparison');
    deepEqual(pids('pid:=4'), [4]);
    deepEqual(pids('C:\\Windows'), [2340], 'a path is text, not a column test');
    deepEqual(pids('nosuchcolumn:x'), [], 'a word naming no column is text');
    deepEqual(pids('svchost pid:1324'), [1324], 'text and a column test together');
  });

  it('a clicked row shows every value in full with copy buttons, and copies one value or the whole row', async () => {
    const copied: string[] = [];
    const clipboard = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (t: string) => void copied.push(t) } });
    try {
      const table = mount(document.createElement('result-table'));
      table.columns = columns;
      table.rows = [{ depth: 0, values: [4, 'line one\nline two', BASE] }];
      await waitFor(() => renderedRows(table).length === 1, 'the row');
      equal(renderedRows(table)[0]![1], 'line one …', 'a multi-line value shows its first line');
      table.shadowRoot!.querySelector<HTMLElement>('[role=gridcell]')!.click();
      const details = await waitFor(() => table.shadowRoot!.querySelector('dl.row-details'), 'the details');
      deepEqual(
        [...details.querySelectorAll('.value')].map((v) => v.textContent),
        ['4', 'line one\nline two', '0xffff800000000000'],
      );
      details.querySelectorAll<HTMLButtonElement>('button.copy')[1]!.click();
      details.querySelector<HTMLButtonElement>('button.copy-row')!.click();
      await waitFor(() => copied.length === 2, 'two copies');
      deepEqual(copied, ['line one\nline two', 'PID\tName\tOffset\n4\tline one line two\t0xffff800000000000\n']);
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
      if (clipboard) Object.defineProperty(Navigator.prototype, 'clipboard', clipboard);
    }
  });

  /** The rendered cells whose text is cut (drawn narrower than it is). */
  const cutCells = (table: Element) =>
    [...table.shadowRoot!.querySelectorAll<HTMLElement>('.grid-row [role=gridcell]')]
      .filter((c) => c.scrollWidth > c.clientWidth + 1)
      .map((c) => c.textContent);
  const headerCells = (table: Element) => [...table.shadowRoot!.querySelectorAll<HTMLElement>('.grid-head [role=columnheader]')];

  it('sizes columns from their content: long messages and ten-digit numbers are not cut, in a window narrower than the row', async () => {
    const wide: Column[] = [
      { name: 'NetNS', type: 'int' },
      { name: 'Message', type: 'str' },
      { name: 'Offset', type: 'hex', address: 'kernel' },
      { name: 'State', type: 'str' },
    ];
    const message = (k: number) => `usb 1-1: new high-speed USB device number ${k} using ehci-pci and a few more words`;
    const table = mount(document.createElement('result-table'));
    table.style.width = '500px';
    table.columns = wide;
    table.rows = Array.from({ length: 50 }, (_, k) => ({ depth: 0, values: [4026531840 + k, message(k), BASE + BigInt(k), 'ESTABLISHED'] }));
    await waitFor(() => renderedRows(table).length > 0, 'rows');
    deepEqual(cutCells(table), []);
    const rows = table.shadowRoot!.querySelector<HTMLElement>('lit-virtualizer')!;
    ok(rows.scrollWidth > rows.clientWidth, 'the rows scroll sideways instead of crushing columns');
    // Scrolled sideways: the header follows, and the first column stays at the left edge.
    rows.scrollLeft = 200;
    const head = table.shadowRoot!.querySelector<HTMLElement>('.grid-head-frame')!;
    await waitFor(() => head.scrollLeft === 200, 'the header scrolled with the rows');
    const left = rows.getBoundingClientRect().left;
    const firstCell = table.shadowRoot!.querySelector<HTMLElement>('.grid-row [role=gridcell]')!;
    ok(Math.abs(firstCell.getBoundingClientRect().left - left) < 2, `NetNS at the left edge (${firstCell.getBoundingClientRect().left} vs ${left})`);
    ok(Math.abs(headerCells(table)[0]!.getBoundingClientRect().left - left) < 2, 'its header too');
  });

  it('never cuts a column’s name: a True/False column named pid_hash is as wide as its header', async () => {
    const table = mount(document.createElement('result-table'));
    table.columns = [
      { name: 'PID', type: 'int' },
      { name: 'pid_hash', type: 'bool' },
      { name: 'psscan', type: 'bool' },
    ];
    table.rows = [{ depth: 0, values: [1, true, false] }];
    await waitFor(() => renderedRows(table).length > 0, 'rows');
    // A name wider than its column spills over the next one (or is clipped): its right edge passes the cell's.
    const cut = headerCells(table).filter((h) => h.querySelector('button')!.getBoundingClientRect().right > h.getBoundingClientRect().right + 1);
    deepEqual(
      cut.map((h) => h.textContent?.trim()),
      [],
    );
  });

  it('a dragged header edge sets the column width; a double-click fits the whole content', async () => {
    const table = mount(document.createElement('result-table'));
    table.style.width = '900px';
    table.columns = columns;
    const long = `proc-${'x'.repeat(150)}`;
    table.rows = [
      { depth: 0, values: [1, long, BASE] },
      { depth: 0, values: [2, 'b', BASE + 1n] },
    ];
    await waitFor(() => renderedRows(table).length === 2, 'rows');
    deepEqual(cutCells(table), [long], 'the longest text stops at the cap');
    const pidHeader = headerCells(table)[0]!;
    const before = pidHeader.getBoundingClientRect().width;
    const edge = pidHeader.querySelector<HTMLElement>('.resize')!;
    const x = edge.getBoundingClientRect().right;
    edge.dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1, clientX: x, bubbles: true }));
    edge.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, clientX: x + 80, bubbles: true }));
    edge.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, clientX: x + 80, bubbles: true }));
    await waitFor(() => Math.abs(headerCells(table)[0]!.getBoundingClientRect().width - (before + 80)) < 1.5, 'the PID column 80px wider');
    const firstCell = table.shadowRoot!.querySelector<HTMLElement>('.grid-row [role=gridcell]')!;
    ok(Math.abs(firstCell.getBoundingClientRect().width - (before + 80)) < 1.5, 'the rows follow the header');

    headerCells(table)[1]!
      .querySelector<HTMLElement>('.resize')!
      .dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    await waitFor(() => cutCells(table).length === 0, 'the Name column fitted to its longest value');
  });

  it('the column chooser hides and shows columns; a click on a later column still names that column', async () => {
    const table = mount(document.createElement('result-table'));
    table.columns = columns;
    table.rows = [{ depth: 0, values: [4, 'System', BASE] }];
    await waitFor(() => renderedRows(table).length === 1, 'the row');
    const chooser = table.shadowRoot!.querySelector('column-chooser')!;
    await waitFor(() => chooser.shadowRoot?.querySelector('summary'), 'the chooser');
    equal(chooser.shadowRoot!.querySelector('summary')!.textContent, 'Columns (3 of 3)');
    const boxes = () => [...chooser.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
    boxes()[1]!.click();
    await waitFor(() => renderedRows(table)[0]?.length === 2, 'two cells a row');
    deepEqual(
      headerCells(table).map((h) => h.querySelector('button')!.textContent!.trim()),
      ['PID', 'Offset'],
    );
    deepEqual(renderedRows(table)[0], ['4', '0xffff800000000000']);
    equal(chooser.shadowRoot!.querySelector('summary')!.textContent, 'Columns (2 of 3)');

    const activated: string[] = [];
    table.addEventListener('cell-activate', (e) => activated.push((e as CustomEvent<{ column: Column }>).detail.column.name));
    const offsetColumns: Column[] = [columns[0]!, columns[1]!, { name: 'Offset', type: 'hex', address: 'kernel' }];
    table.columns = offsetColumns;
    await waitFor(() => renderedRows(table)[0]?.length === 3, 'a new result shows every column again');
    boxes()[1]!.click();
    await waitFor(() => renderedRows(table)[0]?.length === 2, 'Name hidden');
    table.shadowRoot!.querySelectorAll<HTMLElement>('.grid-row [role=gridcell]')[1]!.click();
    deepEqual(activated, ['Offset']);

    boxes()[0]!.click();
    await waitFor(() => renderedRows(table)[0]?.length === 1, 'one column left');
    ok(boxes()[2]!.disabled, 'the last shown column cannot be hidden');
    chooser.shadowRoot!.querySelector<HTMLButtonElement>('.menu button')!.click();
    await waitFor(() => renderedRows(table)[0]?.length === 3, 'Show all');
  });

  it('by keyboard: one tab stop, arrows and Ctrl+End move between cells of 100k virtualized rows, Enter opens an address', async () => {
    const table = mount(document.createElement('result-table'));
    table.columns = [columns[0]!, columns[1]!, { name: 'Offset', type: 'hex', address: 'kernel' }];
    table.rows = bigResult();
    await waitFor(() => renderedRows(table).length > 0, 'rows');
    const stops = table.shadowRoot!.querySelectorAll('[role=gridcell][tabindex="0"]');
    equal(stops.length, 1, 'one cell in the tab order');
    (stops[0] as HTMLElement).focus();
    const active = () => table.shadowRoot!.activeElement as HTMLElement | null;
    const press = (key: string, ctrlKey = false) =>
      active()!.dispatchEvent(new KeyboardEvent('keydown', { key, ctrlKey, bubbles: true, composed: true, cancelable: true }));
    press('ArrowRight');
    await waitFor(() => active()?.textContent === 'proc-0', 'the Name of the first row');
    press('ArrowDown');
    await waitFor(() => active()?.textContent === `proc-${7919}`, 'the next row');
    press('End', true);
    await waitFor(() => active()?.textContent === `proc-${(99_999 * 7919) % N}`, 'the last row, scrolled into view');
    press('End');
    await waitFor(() => active()?.classList.contains('address'), 'the last column');
    const activated: string[] = [];
    table.addEventListener('cell-activate', (e) => activated.push((e as CustomEvent<{ value: string }>).detail.value));
    press('Enter');
    deepEqual(activated, [`0x${(BASE + BigInt((99_999 * 7919) % N) * 0x1000n).toString(16)}`]);

    // Enter on a PID opens that process's view.
    const opened: number[] = [];
    table.addEventListener('process-open', (e) => opened.push((e as CustomEvent<{ pid: number }>).detail.pid));
    press('Home');
    await waitFor(() => active()?.textContent === String((99_999 * 7919) % N), 'the PID of the last row');
    press('Enter');
    deepEqual(opened, [(99_999 * 7919) % N]);
  });

  it('keeps a cell in the tab order when the grid is scrolled or filtered away from the cursor’s row', async () => {
    const table = mount(document.createElement('result-table'));
    table.columns = columns;
    table.rows = bigResult();
    await waitFor(() => renderedRows(table).length > 0, 'rows');
    const stop = () =>
      table.shadowRoot!.querySelector<HTMLElement>('[role=gridcell][tabindex="0"]')?.closest<HTMLElement>('.grid-row')?.dataset['index'];
    equal(stop(), '0');
    const scroller = table.shadowRoot!.querySelector<HTMLElement>('lit-virtualizer')!;
    // Scrolled to the end again while looking: the virtualizer grows its height to all rows' after the first frames.
    const scrolled = await waitFor(() => {
      scroller.scrollTop = scroller.scrollHeight;
      return Number(stop()) > 1000 && stop();
    }, 'a drawn row near the end holds the tab stop');
    ok(renderedRows(table).length < 300);
    // Narrowed to 11 rows, the cursor's row is gone: the first of those holds it.
    const filter = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
    filter.value = 'proc-9999';
    filter.dispatchEvent(new Event('input'));
    await waitFor(() => stop() === '0', `the tab stop back on row 0 (was ${scrolled})`);
  });

  it('shows rows appended while a job streams when the version changes', async () => {
    const table = mount(document.createElement('result-table'));
    const rows: PluginRow[] = [{ depth: 0, values: [1, 'a', 16] }];
    table.columns = columns;
    table.rows = rows;
    await waitFor(() => renderedRows(table).length === 1, 'one row');
    rows.push({ depth: 0, values: [2, 'b', 32] });
    table.version = 1;
    await waitFor(() => renderedRows(table).length === 2, 'two rows');
  });
});

describe('TableModel', () => {
  const model = (values: PluginRow['values'][], cols: Column[]) =>
    new TableModel(
      cols,
      values.map((v) => ({ depth: 0, values: v })),
    );

  it('sorts hex columns by value, not by text', () => {
    const m = model([[0x10000n], [0x9000], [null], [0xffffffffffffffffn]], [{ name: 'Offset', type: 'hex' }]);
    deepEqual(
      m.view('', { column: 0, descending: false }).map((r) => r.values[0]),
      [null, 0x9000, 0x10000n, 0xffffffffffffffffn],
    );
  });

  it('sorts text naturally and case-insensitively, dates by their ISO text', () => {
    const names = model([['svchost.exe'], ['Proc10'], ['proc2'], ['System']], [{ name: 'Name', type: 'str' }]);
    deepEqual(
      names.view('', { column: 0, descending: false }).map((r) => r.values[0]),
      ['proc2', 'Proc10', 'svchost.exe', 'System'],
    );
    const dates = model([['2024-03-01T10:00:00+00:00'], ['2023-12-31T23:59:59+00:00'], [null]], [{ name: 'T', type: 'datetime' }]);
    deepEqual(
      dates.view('', { column: 0, descending: true }).map((r) => r.values[0]),
      ['2024-03-01T10:00:00+00:00', '2023-12-31T23:59:59+00:00', null],
    );
  });

  it('filters on the shown text of every cell (hex as 0x…, N/A, True)', () => {
    const m = model(
      [
        [4, 0x1aa000n, true],
        [8, null, false],
      ],
      [
        { name: 'PID', type: 'int' },
        { name: 'DTB', type: 'hex' },
        { name: 'Wow64', type: 'bool' },
      ],
    );
    deepEqual(
      m.view('0x1AA', undefined).map((r) => r.values[0]),
      [4],
    );
    deepEqual(
      m.view('n/a', undefined).map((r) => r.values[0]),
      [8],
    );
    deepEqual(
      m.view('true', undefined).map((r) => r.values[0]),
      [4],
    );
  });
});
