import type { PluginRow } from '../plugins/plugin.ts';
import { RowNester } from '../render/row-tree.ts';

export interface TreeRow {
  readonly row: PluginRow;
  /** Position in the result's rows; stable identity for expand/collapse. */
  readonly index: number;
  readonly level: number;
  readonly hasChildren: boolean;
}

/** Rows of a tree plugin with their nesting level and whether rows hang below them. */
export function treeRows(rows: readonly PluginRow[]): TreeRow[] {
  const nester = new RowNester<number>();
  const levels = rows.map((row, index) => nester.place(row.depth, index).level);
  return rows.map((row, index) => ({
    row,
    index,
    level: levels[index]!,
    hasChildren: index + 1 < rows.length && levels[index + 1]! > levels[index]!,
  }));
}

/** The rows left visible when the rows in `collapsed` hide everything below them. */
export function visibleTreeRows(tree: readonly TreeRow[], collapsed: ReadonlySet<number>): TreeRow[] {
  const visible: TreeRow[] = [];
  let hideBelow = Infinity;
  for (const node of tree) {
    if (node.level > hideBelow) continue;
    hideBelow = collapsed.has(node.index) ? node.level : Infinity;
    visible.push(node);
  }
  return visible;
}
