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

/** What the keyboard needs of a shown tree node. */
export interface TreeStepNode {
  readonly level: number;
  readonly expandable: boolean;
  readonly open: boolean;
}

/**
 * What a key does in a tree (the WAI-ARIA tree pattern) with the cursor on node `cursor` of `count` shown ones: Up/Down
 * move, Home/End go to the first/last, Right opens a closed node (or goes to an open one's first child), Left closes
 * an open node (or goes to its parent). A position to move to, `toggle` for the node at the cursor, or undefined for
 * any other key.
 */
export function treeStep(
  key: string,
  cursor: number,
  count: number,
  node: (index: number) => TreeStepNode,
): { readonly to: number } | { readonly toggle: true } | undefined {
  const at = node(cursor);
  const clamp = (to: number) => ({ to: Math.max(0, Math.min(count - 1, to)) });
  switch (key) {
    case 'ArrowDown':
      return clamp(cursor + 1);
    case 'ArrowUp':
      return clamp(cursor - 1);
    case 'Home':
      return clamp(0);
    case 'End':
      return clamp(count - 1);
    case 'ArrowRight':
      return !at.expandable ? { to: cursor } : at.open ? clamp(cursor + 1) : { toggle: true };
    case 'ArrowLeft': {
      if (at.expandable && at.open) return { toggle: true };
      for (let i = cursor - 1; i >= 0; i--) if (node(i).level < at.level) return { to: i };
      return { to: cursor };
    }
    default:
      return undefined;
  }
}
