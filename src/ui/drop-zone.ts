import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

/** Files the user dropped or picked; they stay on this machine. */
export type FilesChosenEvent = CustomEvent<File[]>;

/** Drag & drop target with a file picker button. Fires `files-chosen` with the chosen files. */
@customElement('drop-zone')
export class DropZone extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .zone {
        border: 2px dashed var(--ms-border-strong);
        border-radius: 6px;
        padding: 1.2em 1.5em;
        text-align: center;
        background: var(--ms-surface);
      }
      .zone.over {
        border-color: var(--ms-accent);
        background: var(--ms-hover);
      }
      .zone.disabled {
        opacity: 0.6;
      }
      p {
        margin: 0.4em 0;
      }
      input {
        display: none;
      }
    `,
  ];

  @property() label = 'Drop a memory image here';
  @property() buttonLabel = 'Choose file…';
  /** Passed to the file input, e.g. ".json,.xz". */
  @property() accept = '';
  @property({ type: Boolean }) multiple = false;
  @property({ type: Boolean }) disabled = false;
  @state() private over = false;
  @query('input') private input!: HTMLInputElement;

  override render() {
    return html`
      <div
        class="zone ${this.over ? 'over' : ''} ${this.disabled ? 'disabled' : ''}"
        @dragover=${this.onDragOver}
        @dragleave=${() => (this.over = false)}
        @drop=${this.onDrop}
      >
        <p>${this.label}</p>
        <p>
          <button class="primary" ?disabled=${this.disabled} @click=${() => this.input.click()}>${this.buttonLabel}</button>
        </p>
        <p class="muted">Analysed locally. Nothing is uploaded.</p>
        <input type="file" accept=${this.accept} ?multiple=${this.multiple} @change=${this.onPicked} />
      </div>
    `;
  }

  private onDragOver(e: DragEvent): void {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = this.disabled ? 'none' : 'copy';
    this.over = !this.disabled;
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.over = false;
    if (!this.disabled) this.choose([...(e.dataTransfer?.files ?? [])]);
  }

  private onPicked(): void {
    this.choose([...(this.input.files ?? [])]);
    this.input.value = '';
  }

  private choose(files: File[]): void {
    const chosen = this.multiple ? files : files.slice(0, 1);
    if (chosen.length > 0) this.dispatchEvent(new CustomEvent('files-chosen', { detail: chosen, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'drop-zone': DropZone;
  }
}
