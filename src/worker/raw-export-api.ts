import type { Outcome } from '../engine/engine-api.ts';

/** An export of the open image as a raw image: its size, the captured bytes in it and, written to OPFS, the file. */
export interface RawExportResult {
  readonly size: number;
  readonly captured: number;
  /** Without a file chosen: the raw image in the origin private file system, a disk-backed File to download. */
  readonly file?: File;
}

/** The engine worker's raw image export (browser only: it writes through the File System API). */
export interface RawExportApi {
  /**
   * Writes the open image's physical memory as a raw image to `target` (a file the user chose), or without one to a
   * file in the origin private file system, kept until the next export; `onProgress(done, total, captured)`.
   */
  exportRaw(
    target: FileSystemFileHandle | undefined,
    onProgress: (done: number, total: number, captured: number) => void,
  ): Promise<Outcome<RawExportResult>>;
  /** Stops the export under way (exportRaw then answers CANCELLED); nothing when none is. */
  cancelExport(): void;
}
