import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RunFile } from '../engine/engine-api.ts';
import { describeCause } from '../io/read-bounds.ts';
import { saveBlob } from './download.ts';
import { formatSize } from '../plugins/common/format-size.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * The files a run's plugin wrote (kept by the engine worker in the origin private file system until the next image
 * is opened), one download button each: the download is the disk-backed File OPFS gives, never a copy in memory.
 */
@customElement('output-files')
export class OutputFileList extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 0.92em;
      }
      ul {
        margin: 0.2em 0;
        padding-left: 1.2em;
      }
      .size {
        color: var(--ms-muted);
      }
      .error {
        color: var(--ms-danger);
      }
    `,
  ];

  @property({ attribute: false }) files: readonly RunFile[] = [];
  @state() private error = '';

  override render() {
    // Names come from memory (paths, process names): text interpolation only, never markup.
    return html`<span class="label">Files</span>
      <ul>
        ${this.files.map(
          (f) => html`<li>
            <button class="download" title="Download ${f.name}" @click=${() => this.download(f)}>${f.name}</button>
            <span class="size">${formatSize(f.size)}</span>
          </li>`,
        )}
      </ul>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`;
  }

  private async download(file: RunFile): Promise<void> {
    this.error = '';
    try {
      saveBlob(file.name, await opfsFile(file));
    } catch (e) {
      this.error = `${file.name} is no longer in the browser's storage (${describeCause(e)}): run the plugin again`;
    }
  }
}

/** The file as OPFS holds it (a File read from disk when downloaded). */
async function opfsFile({ folder, name }: RunFile): Promise<File> {
  let dir = await navigator.storage.getDirectory();
  for (const part of folder) dir = await dir.getDirectoryHandle(part);
  return (await dir.getFileHandle(name)).getFile();
}

declare global {
  interface HTMLElementTagNameMap {
    'output-files': OutputFileList;
  }
}
