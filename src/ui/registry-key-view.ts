import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { VALUE_COLUMNS, printedHiveName, type Hive, type KeyListing } from './registry-model.ts';
import './result-table.ts';
import './run-warnings.ts';
import { controlStyles, factListStyles } from './shared-styles.ts';

/** What the key view shows: a key, how far it has been read, and what its parent's listing says of it. */
export interface ShownKey {
  readonly hive: Hive;
  readonly path: readonly string[];
  /** undefined while printkey reads it; a string when the run failed. */
  readonly listing: KeyListing | string | undefined;
  /** Its last write time and storage from its parent's listing (printkey gives a key's own with its values only). */
  readonly lastWrite: string | null;
  readonly volatile: boolean | null;
  /** A key asked for (a shortcut, a search hit, the URL) that is not there: the deepest key found on its path is shown. */
  readonly notFound?: readonly string[];
}

/**
 * One registry key as printkey shows it: its full path, last write time, storage, subkey and value counts, what of it
 * is not in memory, and its values (Name, Type, Data) in a result table.
 */
@customElement('registry-key-view')
export class RegistryKeyView extends LitElement {
  static override styles = [
    controlStyles,
    factListStyles,
    css`
      :host {
        display: grid;
        gap: 0.6em;
        align-content: start;
      }
      h3 {
        margin: 0;
        font-size: 0.95em;
        font-family: var(--ms-mono, monospace);
        overflow-wrap: anywhere;
      }
      /* Focused by the page after a jump (for screen readers), never by the user. */
      h3:focus {
        outline: none;
      }
      p {
        margin: 0;
      }
      .absent {
        color: var(--ms-warning);
        background: var(--ms-warning-bg);
        border: 1px solid var(--ms-warning);
        border-radius: 3px;
        padding: 0.35em 0.6em;
      }
      .failed {
        color: var(--ms-danger);
      }
    `,
  ];

  @property({ attribute: false }) key: ShownKey | undefined;

  override render() {
    const key = this.key;
    if (!key) return html`<p class="muted">Pick a hive or a key in the tree.</p>`;
    const full = [printedHiveName(key.hive), ...key.path].join('\\');
    return html`
      ${key.notFound ? this.renderNotFound(key) : nothing}
      <h3 tabindex="-1">${full}</h3>
      ${this.renderBody(key)}
    `;
  }

  /** A key asked for that is not there: whether it is absent, or may lie among the subkeys not in memory. */
  private renderNotFound(key: ShownKey) {
    const wanted = [...key.path, ...key.notFound!].join('\\');
    const shown = key.path.at(-1) ?? 'the root key';
    const listing = key.listing;
    const read = typeof listing === 'object' && listing.found;
    const missing = read ? listing.missingSubkeys + listing.missingLists : 0;
    const why = !read
      ? `${shown} could not be read.`
      : missing > 0
        ? `${shown} has subkeys that are not in memory (a paged-out bin): ${key.notFound![0]} may be one of them.`
        : `Every subkey of ${shown} was read: ${key.notFound![0]} is not one of them, so the key does not exist in this hive.`;
    return html`<p class="absent not-found" role="status">${wanted} is not in this hive's memory. ${why} Shown: ${shown}, the deepest key found on its path.</p>`;
  }

  private renderBody(key: ShownKey) {
    const listing = key.listing;
    if (listing === undefined) return html`<p class="muted">Reading the key…</p>`;
    if (typeof listing === 'string') return html`<p class="failed">${listing}</p>`;
    if (!listing.found) {
      return html`<p class="absent not-resident">
        This key is not in memory: printkey cannot read it (its cells, or a key's on its path, lie in a paged-out bin).
      </p>`;
    }
    const lastWrite = key.lastWrite ?? listing.lastWrite;
    const volatile = key.volatile ?? listing.volatile;
    return html`
      <dl>
        <dt>Hive</dt>
        <dd><span class="mono">${key.hive.name || '(no file: the master hive)'}</span> at <span class="mono">${key.hive.offset}</span></dd>
        <dt>Last written</dt>
        <dd class="last-write">${lastWrite ?? 'not known (printkey gives it for a key with values, or listed as a subkey)'}</dd>
        ${volatile === null ? nothing : html`<dt>Storage</dt><dd>${volatile ? 'volatile (in memory only, never saved to the hive file)' : 'stable (saved to the hive file)'}</dd>`}
        <dt>Subkeys</dt>
        <dd>${listing.subkeys.length}${this.renderMissing(listing)}</dd>
        <dt>Values</dt>
        <dd>${listing.values.length}</dd>
      </dl>
      ${
        listing.values.length > 0
          ? html`<result-table class="values" .columns=${VALUE_COLUMNS} .rows=${listing.values}></result-table>`
          : html`<p class="muted no-values">No values${listing.warnings.length > 0 ? ' readable' : ''}.</p>`
      }
      ${listing.warnings.length > 0 ? html`<run-warnings .warnings=${listing.warnings}></run-warnings>` : nothing}
    `;
  }

  private renderMissing(listing: KeyListing) {
    const { missingSubkeys: keys, missingLists: lists } = listing;
    if (keys + lists === 0) return nothing;
    const parts = [
      keys > 0 ? `${keys} more not in memory (paged-out bin: names unknown)` : '',
      lists > 0 ? `${lists === 1 ? 'a subkey list' : `${lists} subkey lists`} not in memory` : '',
    ].filter(Boolean);
    return html` <span class="absent-count">— ${parts.join('; ')}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-key-view': RegistryKeyView;
  }
}
