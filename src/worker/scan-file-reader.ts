import { openReadOnlyAccess, readAt, type ReadAccessHandle } from '../browser/opfs-read-access.ts';
import type { ScanChunk } from '../scan/chunk-plan.ts';

/** What a scan worker reads chunks from: the image's Blob (a picked File, a slice of one), or an OPFS copy's file. */
export type ScanFile = Blob | FileSystemFileHandle;

/**
 * A scan worker's reads of chunk pieces: Blob slices, or an OPFS file through a read-only sync access handle the
 * worker opens once (and closes when handed another file; a terminated worker's handle goes with it).
 */
export class ScanFileReader {
  private opened: { readonly name: string; readonly access: Promise<ReadAccessHandle | Blob> } | undefined;

  /** A chunk's pieces, read from the file at once. */
  async readPieces(file: ScanFile, chunk: ScanChunk): Promise<Uint8Array[]> {
    const source = file instanceof Blob ? file : await this.access(file);
    if (source instanceof Blob) {
      const parts = await Promise.all(chunk.pieces.map((p) => source.slice(p.fileOffset, p.fileOffset + p.length).arrayBuffer()));
      return parts.map((p) => new Uint8Array(p));
    }
    return chunk.pieces.map((p) => {
      const bytes = new Uint8Array(p.length);
      return bytes.subarray(0, readAt(source, p.fileOffset, bytes));
    });
  }

  /** The worker's handle on `file` (an OPFS entry's name is unique), or its File where no shared handle opens. */
  private access(file: FileSystemFileHandle): Promise<ReadAccessHandle | Blob> {
    if (this.opened?.name !== file.name) {
      const previous = this.opened?.access;
      const access = (async () => {
        const old = await previous?.catch(() => undefined);
        if (old && !(old instanceof Blob)) old.close();
        return (await openReadOnlyAccess(file)) ?? (await file.getFile());
      })();
      this.opened = { name: file.name, access };
      access.catch(() => {
        if (this.opened?.access === access) this.opened = undefined;
      });
    }
    return this.opened.access;
  }
}
