/**
 * Places rows of a depth-annotated stream in a tree: a row hangs under the nearest preceding row one
 * level up. A row that skips levels (depth 3 right after depth 1) is clamped to one below its parent,
 * so malformed depths never lose rows.
 */
export class RowNester<T> {
  private readonly path: T[] = [];

  /** Records `node` at `depth`; returns its parent (undefined at top level) and its effective level. */
  place(depth: number, node: T): { parent: T | undefined; level: number } {
    const wanted = Number.isInteger(depth) && depth > 0 ? depth : 0;
    const level = Math.min(wanted, this.path.length);
    this.path.length = level;
    const parent = level > 0 ? this.path[level - 1] : undefined;
    this.path.push(node);
    return { parent, level };
  }
}
