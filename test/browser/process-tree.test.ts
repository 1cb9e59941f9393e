import '../../src/ui/process-tree.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { treeRows, visibleTreeRows } from '../../src/ui/tree-model.ts';
import { deepEqual, equal } from './assert.ts';
import { clearBody, mount, renderedRows, waitFor } from './dom.ts';

const rows: PluginRow[] = [
  { depth: 0, values: [4, 'System'] },
  { depth: 1, values: [92, 'Registry'] },
  { depth: 1, values: [300, 'smss.exe'] },
  { depth: 2, values: [400, 'csrss.exe'] },
  { depth: 0, values: [500, 'explorer.exe'] },
];

describe('tree model', () => {
  it('hides the rows below a collapsed row only', () => {
    const tree = treeRows(rows);
    deepEqual(
      tree.map((n) => [n.level, n.hasChildren]),
      [
        [0, true],
        [1, false],
        [1, true],
        [2, false],
        [0, false],
      ],
    );
    deepEqual(
      visibleTreeRows(tree, new Set([2])).map((n) => n.row.values[1]),
      ['System', 'Registry', 'smss.exe', 'explorer.exe'],
    );
    deepEqual(
      visibleTreeRows(tree, new Set([0, 2])).map((n) => n.row.values[1]),
      ['System', 'explorer.exe'],
    );
  });
});

describe('process-tree', () => {
  afterEach(clearBody);

  it('collapses and expands all', async () => {
    const view = mount(document.createElement('process-tree'));
    view.columns = [
      { name: 'PID', type: 'int' },
      { name: 'Name', type: 'str' },
    ];
    view.rows = rows;
    await waitFor(() => renderedRows(view).length === 5, 'all rows');
    const [expandAll, collapseAll] = view.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button');
    collapseAll!.click();
    await waitFor(() => renderedRows(view).length === 2, 'top level only');
    deepEqual(
      renderedRows(view).map((r) => r[1]),
      ['System', 'explorer.exe'],
    );
    expandAll!.click();
    await waitFor(() => renderedRows(view).length === 5, 'all rows again');
  });

  it('by keyboard: Left collapses or goes to the parent, Right expands or goes to the first child; the grid does not scroll sideways', async () => {
    const view = mount(document.createElement('process-tree'));
    view.style.width = '300px';
    view.columns = [
      { name: 'PID', type: 'int' },
      { name: 'Name', type: 'str' },
      { name: 'Path', type: 'str' },
    ];
    view.rows = rows.map((r) => ({ ...r, values: [...r.values, `C:\\Windows\\System32\\${String(r.values[1])}`] }));
    await waitFor(() => renderedRows(view).length === 5, 'all rows');
    const focused = () => view.shadowRoot!.activeElement?.closest('.grid-row')?.querySelectorAll('[role=gridcell]')[1]?.textContent;
    const press = (key: string) =>
      view.shadowRoot!.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
    const first = view.shadowRoot!.querySelector<HTMLElement>('[role=gridcell][tabindex="0"]')!;
    first.focus();
    equal(focused(), 'System');
    press('ArrowDown');
    press('ArrowDown');
    await waitFor(() => focused() === 'smss.exe', 'smss.exe');
    press('ArrowLeft');
    await waitFor(() => renderedRows(view).length === 4, 'smss.exe collapsed');
    press('ArrowLeft');
    await waitFor(() => focused() === 'System', 'its parent');
    press('ArrowLeft');
    await waitFor(() => renderedRows(view).length === 2, 'System collapsed');
    press('ArrowRight');
    await waitFor(() => renderedRows(view).length === 4, 'System expanded');
    press('ArrowRight');
    await waitFor(() => focused() === 'Registry', 'its first child');
    equal(view.shadowRoot!.querySelector('lit-virtualizer')!.scrollLeft, 0);
  });
});
