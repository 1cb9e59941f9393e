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
      table.shadowRoot!.querySelector<HTMLElement>('[role=cell]')!.click();
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
