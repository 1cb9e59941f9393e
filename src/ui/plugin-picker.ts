import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ImagePluginInfo } from '../engine/engine-api.ts';
import type { OptionSpec, PluginOptions } from '../plugins/plugin.ts';
import { isMultiple } from '../plugins/plugin-options.ts';
import { defaultOptionValues, parseOptionValues, type OptionFormValues } from './option-values.ts';
import { groupPlugins } from './plugin-groups.ts';
import { controlStyles } from './shared-styles.ts';
import type { BrokenModule } from './third-party-plugins.ts';

export type RunPluginEvent = CustomEvent<{ plugin: string; options: PluginOptions }>;
/** Plugin modules the user picked with "Add plugin…". */
export type PluginFilesEvent = CustomEvent<File[]>;
/** The file name of the third-party module to forget. */
export type RemovePluginEvent = CustomEvent<string>;

/** What "Add plugin…" takes: ES modules. */
const PLUGIN_MODULE_TYPES = '.mjs,.js';

/**
 * Lists the plugins for the image's OS; the chosen one's options and a Run button. Fires `run-plugin`. A plugin
 * whose requirements are unmet is greyed but selectable, so that its panel can say why Run is disabled. Third-party
 * plugins carry a badge, the file they came from and Remove (`remove-plugin`); "Add plugin…" fires `plugin-files`.
 */
@customElement('plugin-picker')
export class PluginPicker extends LitElement {
  static override styles = [
    controlStyles,
    css`
      h2 {
        font-size: 1em;
        margin: 0 0 0.5em;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
      }
      .chosen-description {
        margin: 0.5em 0 0.3em;
        font-size: 0.92em;
      }
      li.group h3 {
        margin: 0;
        padding: 0.4em 0.6em 0.15em;
        font-size: 0.8em;
        font-weight: 600;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--ms-muted);
      }
      li {
        display: flex;
        align-items: flex-start;
        border-bottom: 1px solid var(--ms-row-rule);
      }
      li .entry {
        display: block;
        flex: 1;
        min-width: 0;
        text-align: left;
        border: none;
        border-radius: 0;
        padding: 0.35em 0.6em;
        background: none;
      }
      li .entry[aria-pressed='true'] {
        background: var(--ms-selected);
      }
      li .entry[aria-disabled='true'] > span {
        color: var(--ms-muted);
        opacity: 0.7;
      }
      .name {
        font-family: var(--ms-mono, monospace);
        font-weight: 600;
      }
      .description {
        display: block;
        color: var(--ms-muted);
        font-size: 0.9em;
        /* One line each, so that every plugin shows; the whole text is in the title and the chosen plugin's panel. */
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .badge {
        margin-left: 0.5em;
        padding: 0 0.35em;
        border: 1px solid var(--ms-warning);
        border-radius: 3px;
        font-size: 0.8em;
      }
      .origin {
        overflow-wrap: anywhere;
      }
      li .remove {
        margin: 0.3em 0.4em;
        font-size: 0.85em;
      }
      .third-party input {
        display: none;
      }
      form {
        margin-top: 0.6em;
        display: grid;
        gap: 0.4em;
      }
      label {
        display: grid;
        gap: 0.1em;
        font-size: 0.92em;
      }
      textarea {
        font-family: var(--ms-mono, monospace);
        resize: vertical;
      }
      label.load-file {
        display: block;
      }
      label.load-file input {
        font-size: 0.9em;
      }
      label.bool {
        display: flex;
        gap: 0.4em;
        align-items: baseline;
      }
      .error {
        color: var(--ms-danger);
      }
      select {
        font: inherit;
        font-size: 0.92em;
        padding: 0.25em 0.4em;
      }
      .unmet ul {
        border: none;
        background: none;
        padding-left: 1.2em;
        list-style: disc;
      }
    `,
  ];

  @property({ attribute: false }) plugins: readonly ImagePluginInfo[] = [];
  /** Texts last given options that take a file's text (YARA rules), by option name: filled in when a plugin is chosen. */
  @property({ attribute: false }) remembered: Readonly<Record<string, string>> = {};
  @property({ type: Boolean }) disabled = false;
  @state() private selected: string | undefined;
  @state() private values: OptionFormValues = {};
  @state() private invalid: string | undefined;
  /** Stored third-party modules that cannot be used now: listed with why, to be removed. */
  @property({ attribute: false }) brokenModules: readonly BrokenModule[] = [];
  /** Offers "Add plugin…" (third-party plugins are available). */
  @property({ type: Boolean }) canAdd = false;
  @query('.third-party input') private fileInput!: HTMLInputElement;

  override render() {
    const chosen = this.plugins.find((p) => p.name === this.selected);
    return html`
      <h2>Plugins</h2>
      ${
        this.plugins.length === 0 && this.brokenModules.length === 0
          ? html`<p class="muted">No plugins apply to this image.</p>`
          : html`<ul>
            ${groupPlugins(this.plugins).map(
              (g) =>
                html`<li class="group"><h3>${g.title}</h3></li>${g.plugins.map(
                  (p) => html`<li>
                <button class="entry" aria-pressed=${p.name === this.selected ? 'true' : 'false'} aria-disabled=${p.unmet.length > 0 ? 'true' : nothing}
                  data-plugin=${p.name} @click=${() => this.select(p)}>
                  <span class="name">${p.name}</span>${p.origin !== undefined ? this.renderOrigin(p.origin) : nothing}
                  <span class="description" title=${p.description}>${p.description}</span>
                  ${p.unmet.length > 0 ? html`<span class="description">Cannot run on this image — select it to see why.</span>` : nothing}
                </button>
                ${p.origin !== undefined ? this.renderRemove(p.origin) : nothing}
              </li>`,
                )}`,
            )}
            ${this.brokenModules.map(
              (m) => html`<li class="broken" data-broken=${m.fileName}>
                <span class="entry">${this.renderOrigin(m.fileName)}<span class="description error">${m.failure.message}</span></span>
                ${this.renderRemove(m.fileName)}
              </li>`,
            )}
          </ul>`
      }
      ${
        this.canAdd
          ? html`<p class="third-party">
            <button class="add" ?disabled=${this.disabled} @click=${() => this.fileInput.click()}>Add plugin…</button>
            <span class="muted">or drop a plugin module (.mjs) on the page</span>
            <input type="file" accept=${PLUGIN_MODULE_TYPES} multiple @change=${this.onPicked} />
          </p>`
          : nothing
      }
      ${chosen ? this.renderOptionForm(chosen) : nothing}
    `;
  }

  private renderOrigin(origin: string) {
    return html`<span class="badge">third-party</span> <span class="description origin">from ${origin}</span>`;
  }

  private renderRemove(origin: string) {
    return html`<button class="remove" data-remove=${origin} title="Remove ${origin} and every plugin it brought" ?disabled=${this.disabled}
      @click=${() => this.dispatchEvent(new CustomEvent('remove-plugin', { detail: origin, bubbles: true, composed: true }))}>Remove</button>`;
  }

  private onPicked(): void {
    const files = [...(this.fileInput.files ?? [])];
    this.fileInput.value = '';
    if (files.length > 0) this.dispatchEvent(new CustomEvent('plugin-files', { detail: files, bubbles: true, composed: true }));
  }

  private renderOptionForm(plugin: ImagePluginInfo) {
    const blocked = plugin.unmet.length > 0;
    return html`
      <form @submit=${(e: Event) => this.submit(e, plugin)}>
        <p class="chosen-description">${plugin.description}</p>
        ${plugin.options.map((o) => this.renderOption(o))}
        ${this.invalid ? html`<p class="error">${this.invalid}</p>` : nothing}
        ${
          blocked
            ? html`<div class="unmet error" id="unmet">
              ${plugin.name} cannot run on this image:
              <ul>${plugin.unmet.map((reason) => html`<li>${reason}</li>`)}</ul>
            </div>`
            : nothing
        }
        <div>
          <button class="primary" type="submit" ?disabled=${this.disabled || blocked} aria-describedby=${blocked ? 'unmet' : nothing}>
            Run ${plugin.name}
          </button>
        </div>
      </form>
    `;
  }

  private renderOption(option: OptionSpec) {
    const value = this.values[option.name];
    const update = (v: boolean | string) => (this.values = { ...this.values, [option.name]: v });
    if (option.type === 'bool') {
      return html`<label class="bool" title=${option.description}>
        <input type="checkbox" name=${option.name} .checked=${value === true}
          @change=${(e: Event) => update((e.target as HTMLInputElement).checked)} />
        <span><span class="mono">${option.name}</span> — ${option.description}</span>
      </label>`;
    }
    const label = html`<span><span class="mono">${option.name}</span> — ${option.description}</span>`;
    if (option.type === 'str' && option.choices && !isMultiple(option)) {
      // `selected` per <option>: a bound .value on the <select> would be set before its options exist.
      return html`<label>
        ${label}
        <select name=${option.name} @change=${(e: Event) => update((e.target as HTMLSelectElement).value)}>
          ${option.default === undefined ? html`<option value="" ?selected=${!value}>(any)</option>` : nothing}
          ${option.choices.map((c) => html`<option .value=${c} ?selected=${value === c}>${c}</option>`)}
        </select>
      </label>`;
    }
    if (option.type === 'str' && option.fromFile) {
      // Text a file usually holds (YARA rules): several lines, typed or loaded from a file on this machine.
      return html`<label>
          ${label}
          <textarea name=${option.name} rows="6" spellcheck="false" .value=${String(value ?? '')}
            @input=${(e: Event) => update((e.target as HTMLTextAreaElement).value)}></textarea>
        </label>
        <label class="load-file">Load from a file…
          <input type="file" name=${`${option.name}-file`} @change=${(e: Event) => this.loadOptionFile(e, option.name)} />
        </label>`;
    }
    return html`<label>
      ${label}
      <input type="text" name=${option.name} inputmode=${option.type === 'int' && !isMultiple(option) ? 'numeric' : 'text'}
        placeholder=${placeholder(option)} .value=${String(value ?? '')}
        @input=${(e: Event) => update((e.target as HTMLInputElement).value)} />
    </label>`;
  }

  /** A picked file's text as an option's value (read here; nothing leaves the machine). */
  private async loadOptionFile(e: Event, name: string): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) this.values = { ...this.values, [name]: await file.text() };
  }

  /** Chooses a plugin with some option values given (e.g. rules dropped on the page), for the user to check and run. */
  choose(plugin: string, values: Readonly<Record<string, string>>): void {
    const info = this.plugins.find((p) => p.name === plugin);
    if (!info) return;
    this.select(info);
    this.values = { ...this.values, ...values };
  }

  private select(plugin: ImagePluginInfo): void {
    this.selected = plugin.name;
    this.invalid = undefined;
    const kept = plugin.options.flatMap((o) =>
      o.type === 'str' && o.fromFile && this.remembered[o.name] ? [[o.name, this.remembered[o.name]!]] : [],
    );
    this.values = { ...defaultOptionValues(plugin.options), ...Object.fromEntries(kept) };
  }

  private submit(e: Event, plugin: ImagePluginInfo): void {
    e.preventDefault();
    if (plugin.unmet.length > 0) return;
    const parsed = parseOptionValues(plugin.options, this.values);
    this.invalid = typeof parsed === 'string' ? parsed : undefined;
    if (typeof parsed === 'string') return;
    this.dispatchEvent(new CustomEvent('run-plugin', { detail: { plugin: plugin.name, options: parsed }, bubbles: true, composed: true }));
  }
}

/** What a text field takes: several values are separated as parseOptions splits them. */
function placeholder(option: OptionSpec): string {
  if (option.type === 'bool') return '';
  const choices = option.type === 'str' && option.choices ? `: ${option.choices.join(', ')}` : '';
  if (isMultiple(option)) return option.type === 'int' ? 'numbers, e.g. 4, 8 (decimal or 0x…)' : `values separated by commas${choices}`;
  return option.type === 'int' ? 'number (decimal or 0x…)' : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'plugin-picker': PluginPicker;
  }
}
