import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MissingSymbols } from '../engine/engine-api.ts';
import { JPCERT_SYMBOL_TABLES, VOLATILITY_WINDOWS_PACK } from '../symbols/missing-symbols.ts';
import { pdbKey } from '../symbols/symbol-table.ts';
import { symbolDropZone } from './symbol-drop-zone.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * Names the symbol table the image needs and takes ISF files or symbol packs (.zip) for it. Fires `symbol-files`
 * with the files.
 */
@customElement('symbol-request')
export class SymbolRequest extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        border: 1px solid var(--ms-warning);
        border-left-width: 4px;
        background: var(--ms-warning-bg);
        padding: 0.6em 0.9em;
      }
      h2 {
        font-size: 1em;
        margin: 0 0 0.4em;
      }
      p,
      ul {
        margin: 0.3em 0;
      }
      code {
        font-family: var(--ms-mono, monospace);
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) missing?: MissingSymbols;
  @property({ type: Boolean }) busy = false;

  override render() {
    const m = this.missing;
    if (!m) return nothing;
    return m.kind === 'pdb' ? this.renderPdb(m) : this.renderLinux(m);
  }

  private renderPdb(m: Extract<MissingSymbols, { kind: 'pdb' }>) {
    const key = pdbKey(m.pdbName, m.guid, m.age);
    const fileName = key.slice(key.indexOf('/') + 1);
    return html`
      ${
        m.discovered
          ? html`<h2>More plugins with the symbol table: <code>${m.pdbName}</code></h2>
            <p class="discovered">
              There is no symbol file for this kernel yet, so memscope found its process structures in the image itself:
              processes, the process tree and scan, command lines, DLLs, environments and sessions work now. Handles,
              threads, memory ranges, tokens and the other plugins need the symbol table.
            </p>`
          : html`<h2>Symbols needed: <code>${m.pdbName}</code></h2>`
      }
      <p>
        This image's kernel was built with <code>${m.pdbName}</code>, GUID <code class="guid">${m.guid}</code>, age
        <code class="age">${m.age}</code>. memscope needs its symbol table, a Volatility 3 ISF file named
        <code class="file">${fileName}.json.xz</code> (or <code>.json</code>).
      </p>
      <ul>
        <li>
          The Volatility 3 Windows symbol pack (<code>${VOLATILITY_WINDOWS_PACK}</code>) and JPCERT/CC's
          Windows-Symbol-Tables (<code>${JPCERT_SYMBOL_TABLES}</code>) keep it under
          <code>symbols/windows/${key}.json.xz</code>.
        </li>
        <li>
          Volatility's <code>windows.zip</code> can be given as it is: memscope reads the one table this image needs
          from it and keeps only that table.
        </li>
        <li>
          The PDB itself works too (<code>${m.pdbName}</code> as Microsoft's symbol server serves it, or
          <code>${fileName}.pdb</code> from a symbol folder): memscope reads it here, in the browser.
        </li>
        <li>
          On a machine with internet access, Volatility 3's <code>pdbconv</code> builds it from Microsoft's symbol
          server; copy the file here.
        </li>
      </ul>
      ${this.dropZone('Drop symbol files (.json, .json.xz, the kernel’s .pdb) or windows.zip here')}
    `;
  }

  /** A Linux kernel without usable BTF: a Volatility 3 Linux ISF for its banner is needed. */
  private renderLinux(m: Extract<MissingSymbols, { kind: 'linux' }>) {
    return html`
      <h2>Symbols needed: Linux <code>${m.release}</code></h2>
      <p class="reason">${m.reason.split('\n')[0]}</p>
      <p>
        memscope needs a Volatility 3 Linux ISF for the kernel <code class="banner">${m.banner}</code>. Build it with
        <code>dwarf2json linux --elf vmlinux</code> from this kernel's debug package (for Debian and Ubuntu
        <code>linux-image-${m.release}-dbg</code>); the file is recognised by the banner inside, whatever its name.
      </p>
      ${this.dropZone('Drop the Linux ISF (.json, .json.xz) here')}
    `;
  }

  private dropZone(label: string) {
    return html`
      <p>The file is kept in this browser for later sessions.</p>
      ${symbolDropZone(this, label, this.busy)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'symbol-request': SymbolRequest;
  }
}
