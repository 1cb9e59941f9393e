import '@lit-labs/virtualizer';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Column, PluginRow } from '../plugins/plugin.ts';
import { contentWidths, gridMinWidth, gridTemplate, widen, type ColumnWidth } from './column-widths.ts';
import { focusCell } from './grid-keys.ts';
import { VIRTUALIZER_STYLE, followScroll, frameStyle, gridStyles, isNumeric, renderCells } from './grid-layout.ts';
import { markClass, markTitle, type ProcessMark } from './process-marks.ts';
import { processOfRow, type ProcessOpenEvent } from './process-sections.ts';
import { controlStyles } from './shared-styles.ts';
import { treeRows, treeStep, visibleTreeRows, type TreeRow } from './tree-model.ts';

/** Indentation per level and the expand/collapse toggle, in `ch`. */
const INDENT_CH = 2;
const TOGGLE_CH = 2;

/**
 * Rows of a tree plugin (pstree) indented by depth, with expand/collapse; by keyboard a tree grid: Up/Down move
 * between rows, Right expands (or goes to the first child), Left collapses (or goes to the parent), Home/End;
 * Enter or a double-click opens the row's process in the process view (`process-open`).
 */
@customElement('process-tree')
export class ProcessTree extends LitElement {
  static override styles = [
    controlStyles,
    gridStyles,
    css`
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5em;
        align-items: center;
        margin-bottom: 0.4em;
      }
      .toggle {
        all: unset;
        display: inline-block;
        width: 2ch;
        cursor: pointer;
        text-align: center;
      }
      .toggle::before {
        content: '▸';
      }
      .toggle.open::before {
        content: '▾';
      }
      .toggle:focus-visible {
        outline: 2px solid var(--ms-accent);
      }
      .hint {
        color: var(--ms-muted);
        font-size: 0.9em;
      }
      .leaf {
        display: inline-block;
        width: 2ch;
      }
      .grid-head .cell {
        font-weight: 600;
      }
      /* The tree column is indented, so it reads left to right even when it holds numbers. */
      .cell:first-child {
        text-align: left;
      }
    `,
  ];

  @property({ attribute: false }) columns: readonly Column[] = [];
  @property({ attribute: false }) rows: readonly PluginRow[] = [];
  @property({ type: Number }) version = 0;
  /** Marks exited processes. */
  @property({ attribute: false }) mark: ((row: PluginRow) => ProcessMark | undefined) | undefined;
  /** Row indices whose subtrees are hidden. */
  @state() private collapsed: ReadonlySet<number> = new Set();
  /** The visible row in the tab order. */
  @state() private cursor = 0;
  private tree: readonly TreeRow[] = [];
  private visible: readonly TreeRow[] = [];
  private widths: readonly ColumnWidth[] = [];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('rows')) {
      this.collapsed = new Set();
      this.cursor = 0;
    }
    if (changed.has('rows') || changed.has('version') || changed.has('columns')) {
      this.tree = treeRows(this.rows);
      // The tree column holds the deepest row's indentation and its toggle.
      const deepest = this.tree.reduce((max, n) => Math.max(max, n.level), 0);
      const widths = contentWidths(this.columns, this.rows, deepest * INDENT_CH + TOGGLE_CH);
      this.widths = changed.has('columns') ? widths : widen(this.widths, widths);
    }
    this.visible = visibleTreeRows(this.tree, this.collapsed);
  }

  override render() {
    const template = gridTemplate(this.widths);
    return html`
      <div class="toolbar">
        <button @click=${() => (this.collapsed = new Set())}>Expand all</button>
        <button @click=${() => (this.collapsed = new Set(this.tree.filter((n) => n.hasChildren).map((n) => n.index)))}>Collapse all</button>
        <span class="count">${this.rows.length} rows (${this.visible.length} shown)</span>
        ${
          this.columns.some((c) => c.name === 'PID')
            ? html`<span class="hint">Double-click a process, or press Enter on it, for everything about it</span>`
            : nothing
        }
      </div>
      <div class="grid-frame" role="treegrid" aria-label=${this.columns.some((c) => c.name === 'PID') ? 'Process tree: arrow keys move, Right expands, Left collapses, Enter opens the process view' : 'Tree: arrow keys move, Right expands, Left collapses'}
        @keydown=${(e: KeyboardEvent) => this.onKey(e)}
        style=${frameStyle(gridMinWidth(this.widths), this.visible.length)}>
        <div class="grid-head-frame">
          <div class="grid-head" role="row" style="grid-template-columns: ${template}">
            ${this.columns.map((c) => html`<div class="cell ${isNumeric(c.type) ? 'num' : ''}" role="columnheader">${c.name}</div>`)}
          </div>
        </div>
        <lit-virtualizer scroller style=${VIRTUALIZER_STYLE} @scroll=${followScroll} .items=${this.visible}
          .renderItem=${(node: TreeRow, i: number) => this.renderRow(node, template, i)}></lit-virtualizer>
      </div>
    `;
  }

  private renderRow(node: TreeRow, template: string, position: number) {
    const open = !this.collapsed.has(node.index);
    const lead = html`<span style="display: inline-block; width: ${node.level * INDENT_CH}ch"></span>${
      node.hasChildren
        ? html`<button class="toggle ${open ? 'open' : ''}" aria-label=${open ? 'Collapse' : 'Expand'} @click=${() => this.toggle(node.index)}></button>`
        : html`<span class="leaf"></span>`
    }`;
    const mark = this.mark?.(node.row);
    return html`<div class="grid-row ${markClass(mark)}" role="row" data-index=${position} aria-level=${node.level + 1}
      aria-description=${ifDefined(markTitle(mark))}
      aria-expanded=${ifDefined(node.hasChildren ? String(open) : undefined)} style="grid-template-columns: ${template}"
      @click=${() => (this.cursor = position)} @dblclick=${() => this.openProcess(node)}>${renderCells(this.columns, node.row, lead, undefined, position === this.cursor ? 0 : -1)}</div>`;
  }

  private onKey(e: KeyboardEvent): void {
    const node = this.visible[this.cursor];
    if (!node || !(e.target as Element).matches('[role=gridcell]')) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      this.openProcess(node);
      return;
    }
    const step = treeStep(e.key, this.cursor, this.visible.length, (i) => {
      const n = this.visible[i]!;
      return { level: n.level, expandable: n.hasChildren, open: !this.collapsed.has(n.index) };
    });
    if (!step) return;
    // Handled here: the arrows must not scroll the grid sideways (the tree column would slide out of view).
    e.preventDefault();
    if ('toggle' in step) this.toggle(node.index);
    else this.cursor = step.to;
    void this.focusCursor();
  }

  /** The row's process in the process view. */
  private openProcess(node: TreeRow): void {
    const process = processOfRow(this.columns, node.row);
    if (process) this.dispatchEvent(new CustomEvent('process-open', { detail: process, bubbles: true, composed: true }) satisfies ProcessOpenEvent);
  }

  private async focusCursor(): Promise<void> {
    await this.updateComplete;
    await focusCell(this.renderRoot, this.cursor, 0);
  }

  private toggle(index: number): void {
    const next = new Set(this.collapsed);
    if (!next.delete(index)) next.add(index);
    this.collapsed = next;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'process-tree': ProcessTree;
  }
}
