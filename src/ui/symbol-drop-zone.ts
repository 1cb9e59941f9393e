import { html } from 'lit';
import './drop-zone.ts';
import type { FilesChosenEvent } from './drop-zone.ts';

/** What symbol files the page takes: ISF files, PDBs, symbol packs. */
const SYMBOL_FILE_TYPES = '.json,.xz,.json.xz,.zip,.pdb';

/**
 * The drop zone for symbol files, shared by the symbol request and the symbols panel: the chosen files leave `host` as
 * one `symbol-files` event (File[]) that the page handles.
 */
export function symbolDropZone(host: HTMLElement, label: string, disabled: boolean) {
  const forward = (e: FilesChosenEvent): void => {
    e.stopPropagation();
    host.dispatchEvent(new CustomEvent('symbol-files', { detail: e.detail, bubbles: true, composed: true }));
  };
  return html`<drop-zone label=${label} buttonLabel="Add symbol files…" accept=${SYMBOL_FILE_TYPES} multiple ?disabled=${disabled}
    @files-chosen=${forward}></drop-zone>`;
}
