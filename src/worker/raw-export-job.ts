import type { Outcome } from '../engine/engine-api.ts';
import { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { createOpfsEntry, type OpfsEntry } from '../browser/opfs-temp-storage.ts';
import { writeRawImage } from '../browser/raw-image-file.ts';
import { SoloJob } from './job-runner.ts';
import type { RawExportApi, RawExportResult } from './raw-export-api.ts';

const NO_OPFS =
  'this browser offers neither a save dialog nor an origin private file system to write the raw image to: use the memscope command line (image.export)';

/** The engine worker's raw image export: one at a time, cancellable; the last one written to OPFS kept for its download. */
export class RawExportJob {
  private readonly exporting = new SoloJob();
  /** The last export written to OPFS: its download reads it, so it goes when the next export starts. */
  private copy: OpfsEntry | undefined;

  run(layer: PhysicalLayer | undefined, ...[target, onProgress]: Parameters<RawExportApi['exportRaw']>): Promise<Outcome<RawExportResult>> {
    return this.exporting.run(async (signal) => {
      if (!layer) throw new MemscopeError('BAD_REQUEST', 'open an image first');
      await this.copy?.remove();
      this.copy = undefined;
      const entry = target ? undefined : await createOpfsEntry(layer.source.name, NO_OPFS);
      try {
        const written = await writeRawImage(layer, target ?? entry!.handle, { sync: !target, signal, onProgress });
        if (!entry) return written;
        this.copy = entry;
        return { ...written, file: await entry.handle.getFile() };
      } catch (e) {
        await entry?.remove();
        throw e;
      }
    }, onProgress);
  }

  cancel(): void {
    this.exporting.cancel();
  }
}
