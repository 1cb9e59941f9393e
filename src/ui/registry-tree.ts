import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { controlStyles } from './shared-styles.ts';
import { treeStep } from './tree-model.ts';

/** A shown node of the key tree: a hive, a key, or a line saying what is missing or being read. */
export interface KeyTreeItem {
  /** Unique in the tree; what `tree-select` and `tree-toggle` name. */
  readonly id: string;
  /** 0 for the hives. */
  readonly level: number;
  readonly label: string;
  /** Said after the label, muted (a hive's file path, "volatile"). */
  readonly note?: string;
  readonly expandable: boolean;
  readonly open: boolean;
  /** A line that is not a key (subkeys not in memory, "reading…"): shown, not selectable. */
  readonly placeholder?: 'missing' | 'loading';
}

/** A node was picked (click, Enter, or the arrow keys moving to it); its id. */
export type TreeSelectEvent = CustomEvent<string>;
/** A node's expander was used (click, double-click, Right/Left); its id. */
export type TreeToggleEvent = CustomEvent<string>;

/**
 * The registry's hives and keys as an ARIA tree: one tab stop; Up/Down move (and select), Right opens or goes to the
 * first subkey, Left closes or goes to the parent, Home/End; a click selects, the triangle or a double-click opens.
 * Names come from memory: shown as text only.
 */
@customElement('registry-tree')
export class RegistryTree extends LitElement {
  static override styles = [
    controlStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0.2em 0;
        font-family: var(--ms-mono, monospace);
        font-size: 12.5px;
      }
      li {
        display: flex;
        align-items: baseline;
        gap: 0.3em;
        padding: 0.1em 0.4em 0.1em calc(0.4em + var(--level) * 1.4em);
        white-space: nowrap;
        cursor: default;
        line-height: 1.5;
      }
      li:hover {
        background: var(--ms-hover);
      }
      li[aria-selected='true'] {
        background: var(--ms-selected);
      }
      li:focus-visible {
        outline: 2px solid var(--ms-accent);
        outline-offset: -2px;
      }
      .twisty {
        flex: none;
        width: 1.2em;
        text-align: center;
        cursor: pointer;
        color: var(--ms-muted);
      }
      .label {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .note {
        color: var(--ms-muted);
        overflow: hidden;
        text-overflow: ellipsis;
        font-size: 0.92em;
      }
      li.missing {
        color: var(--ms-warning);
        font-style: italic;
      }
      li.loading {
        color: var(--ms-muted);
      }
    `,
  ];

  @property({ attribute: false }) items: readonly KeyTreeItem[] = [];
  /** The id of the node selected (the tab stop); the first node when none is. */
  @property() selected = '';
  /** Names the tree for assistive technology. */
  @property() label = 'Registry keys';

  /** The node the keyboard is on: the selected one, or a placeholder line moved to. */
  @state() private focused = '';
  /** Whether focus was on a node before an update (then it follows the cursor to its new node). */
  private hadFocus = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selected')) this.focused = this.selected;
    this.hadFocus = this.shadowRoot?.activeElement?.matches('li') ?? false;
  }

  protected override updated(): void {
    const element = this.itemElement(this.cursor);
    if (this.hadFocus && element && this.shadowRoot?.activeElement !== element) element.focus();
  }

  private get cursor(): number {
    const focused = this.items.findIndex((i) => i.id === this.focused);
    const selected = this.items.findIndex((i) => i.id === this.selected);
    return focused >= 0 ? focused : Math.max(0, selected);
  }

  override render() {
    const cursor = this.cursor;
    return html`<ul role="tree" aria-label=${this.label} @keydown=${(e: KeyboardEvent) => this.onKey(e)}>
      ${this.items.map((item, i) => this.renderItem(item, i === cursor, i))}
    </ul>`;
  }

  /** `current`: the node in the tab order (the keyboard's); selected or not. */
  private renderItem(item: KeyTreeItem, current: boolean, index: number) {
    const title = item.note ? `${item.label} — ${item.note}` : item.label;
    return html`<li role="treeitem" data-id=${item.id} data-index=${index} style="--level: ${item.level}" aria-level=${item.level + 1}
      class=${item.placeholder ?? ''} title=${title} tabindex=${current ? 0 : -1}
      aria-selected=${item.placeholder ? nothing : item.id === this.selected ? 'true' : 'false'}
      aria-disabled=${ifDefined(item.placeholder ? 'true' : undefined)}
      aria-expanded=${ifDefined(item.expandable ? String(item.open) : undefined)}
      @click=${() => this.select(index)} @dblclick=${() => item.expandable && this.toggle(item)}>
      <span class="twisty" aria-hidden="true" @click=${(e: Event) => {
        e.stopPropagation();
        this.select(index);
        if (item.expandable) this.toggle(item);
      }}>${item.expandable ? (item.open ? '▾' : '▸') : ''}</span>
      <span class="label">${item.label}</span>
      ${item.note ? html`<span class="note">${item.note}</span>` : nothing}
    </li>`;
  }

  private onKey(e: KeyboardEvent): void {
    const cursor = this.cursor;
    const item = this.items[cursor];
    if (!item) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (item.expandable) this.toggle(item);
      return;
    }
    const step = treeStep(e.key, cursor, this.items.length, (i) => this.items[i]!);
    if (!step) return;
    e.preventDefault();
    if ('toggle' in step) this.toggle(item);
    else this.select(step.to, true);
  }

  /** Moves the cursor to the node at `index` and selects it (a placeholder line only takes the cursor). */
  private select(index: number, focus = false): void {
    const item = this.items[index];
    if (!item) return;
    this.focused = item.id;
    if (focus) this.itemElement(index)?.focus();
    if (!item.placeholder) {
      this.dispatchEvent(new CustomEvent('tree-select', { detail: item.id, bubbles: true, composed: true }) satisfies TreeSelectEvent);
    }
  }

  private toggle(item: KeyTreeItem): void {
    this.dispatchEvent(new CustomEvent('tree-toggle', { detail: item.id, bubbles: true, composed: true }) satisfies TreeToggleEvent);
  }

  private itemElement(index: number): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`li[data-index="${index}"]`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-tree': RegistryTree;
  }
}
