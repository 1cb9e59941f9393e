import { BlobSource } from './blob-source.ts';
import type { ByteSource } from './byte-source.ts';
import { hasExtension, type CompanionFiles } from './companion-files.ts';

/**
 * The files picked or dropped with an image on the page: they came together, so a companion is found by its
 * extension alone, whatever its stem.
 */
export class BlobCompanions implements CompanionFiles {
  used = false;

  constructor(private readonly files: readonly { readonly name: string; readonly blob: Blob }[]) {}

  async find(extensions: readonly string[]): Promise<ByteSource | undefined> {
    for (const extension of extensions) {
      const file = this.files.find((f) => hasExtension(f.name, extension));
      if (file) {
        this.used = true;
        return new BlobSource(file.blob, file.name);
      }
    }
    return undefined;
  }
}
