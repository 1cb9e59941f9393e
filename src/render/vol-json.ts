import type { Cell, Column, PluginRow } from '../plugins/plugin.ts';
import { RowNester } from './row-tree.ts';

interface TreeNode {
  readonly values: readonly Cell[];
  readonly children: TreeNode[];
}

const CHILDREN_KEY = '__children';

/**
 * Volatility 3's JSON output (`-r json`): a list of row objects keyed by column name, each with a
 * `__children` list, keys sorted, two-space indent, non-ASCII escaped — the text `json.dumps(...,
 * indent=2, sort_keys=True)` prints. Integers are written exactly, including bigints beyond 2^53.
 *
 * Streams: `push` returns the text of each top-level tree once the next top-level row shows it is
 * complete, so a caller can write 100k rows without holding them all.
 */
export class VolJsonWriter {
  private readonly nester = new RowNester<TreeNode>();
  /** Column indices in key order; -1 stands for `__children`. */
  private readonly keyOrder: readonly { key: string; index: number }[];
  private open: TreeNode | undefined;
  private written = 0;

  constructor(columns: readonly Column[]) {
    const keys = [{ key: CHILDREN_KEY, index: -1 }, ...columns.map((c, index) => ({ key: c.name, index }))];
    this.keyOrder = keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Adds a row; returns the JSON text completed by it ('' while the current top-level tree grows). */
  push(row: PluginRow): string {
    const node: TreeNode = { values: row.values, children: [] };
    const { parent } = this.nester.place(row.depth, node);
    if (parent) {
      parent.children.push(node);
      return '';
    }
    const completed = this.flush();
    this.open = node;
    return completed;
  }

  /** Closes the list; returns the remaining text (ends with a newline). */
  end(): string {
    const rest = this.flush();
    return this.written === 0 ? '[]\n' : `${rest}\n]\n`;
  }

  private flush(): string {
    if (!this.open) return '';
    const text = (this.written === 0 ? '[\n' : ',\n') + '  ' + this.nodeText(this.open, 1);
    this.open = undefined;
    this.written++;
    return text;
  }

  private nodeText(node: TreeNode, level: number): string {
    const inner = '  '.repeat(level + 1);
    const fields = this.keyOrder.map(({ key, index }) => {
      const value = index < 0 ? this.childrenText(node.children, level + 1) : cellJson(node.values[index] ?? null);
      return `${inner}${stringJson(key)}: ${value}`;
    });
    return `{\n${fields.join(',\n')}\n${'  '.repeat(level)}}`;
  }

  private childrenText(children: readonly TreeNode[], level: number): string {
    if (children.length === 0) return '[]';
    const inner = '  '.repeat(level + 1);
    const items = children.map((child) => inner + this.nodeText(child, level + 1));
    return `[\n${items.join(',\n')}\n${'  '.repeat(level)}]`;
  }
}

export function toVolJson(columns: readonly Column[], rows: Iterable<PluginRow>): string {
  const writer = new VolJsonWriter(columns);
  let text = '';
  for (const row of rows) text += writer.push(row);
  return text + writer.end();
}

export function cellJson(value: Cell): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return stringJson(value);
    default:
      return 'null';
  }
}

/** A JSON string with non-ASCII as \uXXXX, like Python's json.dumps (ensure_ascii). */
export function stringJson(text: string): string {
  return asciiJson(text);
}

/** Any JSON value with non-ASCII as \uXXXX (ensure_ascii). */
export function asciiJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
