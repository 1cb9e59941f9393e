import '../../src/ui/process-tree.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { treeRows, visibleTreeRows } from '../../src/ui/tree-model.ts';
import { deepEqual } from './assert.ts';
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
});
