import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SectionRunner } from './process-view.ts';
import './registry-key-view.ts';
import type { ShownKey } from './registry-key-view.ts';
import {
  HIVELIST,
  PRINTKEY,
  hiveLabel,
  hivesOf,
  keyListing,
  printkeyOptions,
  servicesPath,
  shortcuts,
  type Hive,
  type KeyListing,
  type Shortcut,
} from './registry-model.ts';
import './registry-search.ts';
import type { KeyOpenEvent } from './registry-search.ts';
import './registry-tree.ts';
import type { KeyTreeItem, TreeSelectEvent, TreeToggleEvent } from './registry-tree.ts';
import { controlStyles } from './shared-styles.ts';

/** The key shown, as the page's URL carries it: a hive by its offset, a key by its path below the hive's root. */
export interface RegistryLocation {
  readonly hive?: string;
  readonly key?: string;
}

/** The user picked another key (the page puts it in the URL). */
export type RegistryLocationEvent = CustomEvent<RegistryLocation>;

interface Selection {
  readonly hive: Hive;
  readonly path: readonly string[];
  readonly notFound?: readonly string[];
}

const keyId = (hive: Hive, path: readonly string[]): string => `${hive.offset}|${path.join('\\')}`;

/**
 * The registry of a Windows image: its hives as a tree of keys, each key's subkeys read when it is opened (one
 * printkey run per key), the key picked shown with its values; the common persistence keys one click away, and
 * keys found by name. Runs beside the page's own, in the engine.
 */
@customElement('registry-browser')
export class RegistryBrowser extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.7em;
        container: registry / inline-size;
      }
      h2 {
        font-size: 1em;
        margin: 0;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4em 0.8em;
        align-items: baseline;
      }
      .shortcuts {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em;
        align-items: baseline;
      }
      .shortcuts .caption {
        color: var(--ms-muted);
        font-size: 0.92em;
        margin-right: 0.2em;
      }
      .shortcuts button {
        font-size: 0.85em;
        padding: 0.15em 0.6em;
      }
      .panes {
        display: grid;
        grid-template-columns: minmax(16em, 2fr) minmax(0, 3fr);
        gap: 0.8em;
        align-items: start;
      }
      registry-tree {
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
        max-height: 70vh;
        overflow: auto;
      }
      @container registry (max-width: 700px) {
        .panes {
          grid-template-columns: minmax(0, 1fr);
        }
        registry-tree {
          max-height: 45vh;
        }
      }
      p {
        margin: 0;
      }
      .failed {
        color: var(--ms-danger);
      }
    `,
  ];

  /** Runs printkey and hivelist in the engine. */
  @property({ attribute: false }) runner: SectionRunner | undefined;
  /** The key to show (the URL's); the browser shows it once the hives are listed, and when it changes. */
  @property({ attribute: false }) location: RegistryLocation | undefined;
  /** The hives; a string when hivelist failed; undefined while it runs. */
  @state() private hives: readonly Hive[] | string | undefined;
  /** Each key read so far by its id: its listing, a failure's message, or undefined while printkey reads it. */
  @state() private listings: ReadonlyMap<string, KeyListing | string | undefined> = new Map();
  @state() private open: ReadonlySet<string> = new Set();
  @state() private selected: Selection | undefined;
  private readonly loads = new Map<string, Promise<KeyListing | string>>();
  /** The tree's nodes by id (rebuilt at each render). */
  private nodes = new Map<string, { hive: Hive; path: readonly string[] }>();
  /** Counts jumps: one started later wins. */
  private jumps = 0;
  private shownLocation: RegistryLocation | undefined;
  private readonly runs = new AbortController();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.runs.abort();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('runner') && this.runner && this.hives === undefined) void this.listHives(this.runner);
    const hives = this.hives;
    // A location from outside (the URL), not the one this browser has just reported: shown once the hives are known.
    const given = changed.has('location') || changed.has('hives');
    if (given && typeof hives === 'object' && this.location && this.location !== this.shownLocation) {
      this.shownLocation = this.location;
      const hive = hives.find((h) => h.offset === this.location?.hive);
      const current = this.selected && { hive: this.selected.hive.offset, key: this.selected.path.join('\\') };
      if (hive && (current?.hive !== hive.offset || current.key.toLowerCase() !== (this.location?.key ?? '').toLowerCase())) {
        void this.jump(hive, this.location?.key ? this.location.key.split('\\') : []);
      }
    }
  }

  private async listHives(runner: SectionRunner): Promise<void> {
    const result = await runner.run(HIVELIST, {}, this.runs.signal);
    this.hives = 'error' in result ? result.error : hivesOf(result.columns, result.rows);
  }

  override render() {
    const hives = this.hives;
    return html`
      <div class="head">
        <h2 tabindex="-1">Registry</h2>
        <span class="muted">${this.headline(hives)}</span>
      </div>
      ${typeof hives === 'string' ? html`<p class="failed">windows.registry.hivelist failed: ${hives}</p>` : nothing}
      ${typeof hives === 'object' ? this.renderBrowser(hives) : nothing}
    `;
  }

  private headline(hives: readonly Hive[] | string | undefined): string {
    if (hives === undefined) return 'listing the hives…';
    if (typeof hives === 'string') return '';
    return `${hives.length} hive${hives.length === 1 ? '' : 's'} in memory (windows.registry.hivelist); keys read with windows.registry.printkey`;
  }

  private renderBrowser(hives: readonly Hive[]) {
    const marks = shortcuts(hives);
    const selected = this.selected;
    return html`
      ${
        marks.length > 0
          ? html`<div class="shortcuts" role="group" aria-label="Persistence keys">
            <span class="caption">Persistence:</span>
            ${marks.map((m) => html`<button class="shortcut" title=${this.shortcutTitle(m)} @click=${() => this.follow(m)}>${m.label}</button>`)}
          </div>`
          : nothing
      }
      <registry-search .runner=${this.runner} .hives=${hives} @key-open=${(e: KeyOpenEvent) => void this.jump(e.detail.hive, e.detail.path)}></registry-search>
      <div class="panes">
        <registry-tree .items=${this.treeItems(hives)} selected=${selected ? keyId(selected.hive, selected.path) : ''}
          @tree-select=${(e: TreeSelectEvent) => this.pick(e.detail)} @tree-toggle=${(e: TreeToggleEvent) => this.toggle(e.detail)}></registry-tree>
        <registry-key-view .key=${selected && this.shownKey(selected)}></registry-key-view>
      </div>
    `;
  }

  private shortcutTitle(m: Shortcut): string {
    const where = m.services ? "CurrentControlSet\\Services (the control set SYSTEM's Select\\Current names)" : m.path.join('\\');
    return `${hiveLabel(m.hive)}: ${where}`;
  }

  /** The tree's shown nodes: the hives, and below each open node its subkeys (or what is missing). */
  private treeItems(hives: readonly Hive[]): KeyTreeItem[] {
    const out: KeyTreeItem[] = [];
    this.nodes = new Map();
    for (const hive of hives) {
      const label = hiveLabel(hive);
      this.pushKey(out, hive, [], 0, label, hive.name && hive.name !== label ? hive.name : undefined);
    }
    return out;
  }

  private pushKey(out: KeyTreeItem[], hive: Hive, path: readonly string[], level: number, label: string, note?: string): void {
    const id = keyId(hive, path);
    const open = this.open.has(id);
    this.nodes.set(id, { hive, path });
    out.push({ id, level, label, note, expandable: this.expandable(id), open });
    if (!open) return;
    const listing = this.listings.get(id);
    const line = (kind: 'missing' | 'loading', text: string) =>
      out.push({ id: `${id}|${kind}`, level: level + 1, label: text, expandable: false, open: false, placeholder: kind });
    if (listing === undefined) return void line('loading', 'reading…');
    if (typeof listing === 'string' || !listing.found) return void line('missing', 'not in memory');
    for (const sub of listing.subkeys) this.pushKey(out, hive, [...path, sub.name], level + 1, sub.name, sub.volatile ? 'volatile' : undefined);
    const { missingSubkeys: keys, missingLists: lists } = listing;
    if (keys > 0) line('missing', `${keys} subkey${keys === 1 ? '' : 's'} not in memory (paged-out bin)`);
    if (lists > 0) line('missing', `subkeys not in memory (a paged-out subkey list)`);
  }

  /** Whether a node may have subkeys: not read yet, or read and has some (or some not in memory). */
  private expandable(id: string): boolean {
    if (!this.listings.has(id)) return true;
    const listing = this.listings.get(id);
    if (listing === undefined) return true;
    return typeof listing === 'object' && listing.found && listing.subkeys.length + listing.missingSubkeys + listing.missingLists > 0;
  }

  private shownKey({ hive, path, notFound }: Selection): ShownKey {
    const parent = path.length > 0 ? this.listings.get(keyId(hive, path.slice(0, -1))) : undefined;
    const entry = typeof parent === 'object' ? parent.subkeys.find((s) => s.name === path.at(-1)) : undefined;
    return {
      hive,
      path,
      notFound,
      listing: this.listings.get(keyId(hive, path)),
      lastWrite: entry?.lastWrite ?? null,
      volatile: entry?.volatile ?? null,
    };
  }

  /** A key's listing: read once (its parent's first, whose warnings this run repeats). */
  private load(hive: Hive, path: readonly string[]): Promise<KeyListing | string> {
    const id = keyId(hive, path);
    let loading = this.loads.get(id);
    if (!loading) {
      loading = this.read(hive, path);
      this.loads.set(id, loading);
      this.listings = new Map(this.listings).set(id, undefined);
      void loading.then((listing) => (this.listings = new Map(this.listings).set(id, listing)));
    }
    return loading;
  }

  private async read(hive: Hive, path: readonly string[]): Promise<KeyListing | string> {
    const parent = path.length > 0 ? await this.load(hive, path.slice(0, -1)) : undefined;
    const result = await this.runner!.run(PRINTKEY, printkeyOptions(hive, path), this.runs.signal);
    if ('error' in result) return result.error;
    return keyListing(result.columns, result.rows, result.warnings, typeof parent === 'object' ? parent.runWarnings : []);
  }

  private pick(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.jumps++;
    this.select({ hive: node.hive, path: node.path });
  }

  private select(selection: Selection): void {
    this.selected = selection;
    void this.load(selection.hive, selection.path);
    const location = { hive: selection.hive.offset, key: selection.path.join('\\') };
    this.shownLocation = location;
    this.dispatchEvent(new CustomEvent('registry-location', { detail: location, bubbles: true, composed: true }) satisfies RegistryLocationEvent);
  }

  private toggle(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    const open = new Set(this.open);
    if (!open.delete(id)) {
      open.add(id);
      void this.load(node.hive, node.path);
    }
    this.open = open;
  }

  /** A persistence key: its path, the control set read from SYSTEM's Select\Current first for Services. */
  private async follow(shortcut: Shortcut): Promise<void> {
    let path = shortcut.path;
    if (shortcut.services) {
      const select = await this.load(shortcut.hive, ['Select']);
      path = servicesPath(typeof select === 'object' && select.found ? select.values : undefined);
    }
    await this.jump(shortcut.hive, path);
    await this.updateComplete;
    const view = this.renderRoot.querySelector('registry-key-view');
    await view?.updateComplete;
    view?.shadowRoot?.querySelector<HTMLElement>('h3')?.focus();
  }

  /**
   * Shows a key given by path (names matched case-insensitively, as Windows does): each key on the way read and
   * opened in the tree; where one is missing, the deepest key found is shown with what was not found.
   */
  private async jump(hive: Hive, path: readonly string[]): Promise<void> {
    const jump = ++this.jumps;
    const open = new Set(this.open);
    let at: string[] = [];
    let notFound: string[] | undefined;
    for (const [i, name] of path.entries()) {
      open.add(keyId(hive, at));
      const listing = await this.load(hive, at);
      if (jump !== this.jumps) return;
      const sub = typeof listing === 'object' && listing.found ? listing.subkeys.find((s) => s.name.toLowerCase() === name.toLowerCase()) : undefined;
      if (!sub) {
        notFound = path.slice(i);
        break;
      }
      at = [...at, sub.name];
    }
    this.open = open;
    this.select({ hive, path: at, notFound });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-browser': RegistryBrowser;
  }
}
