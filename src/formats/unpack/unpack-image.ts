import type { ByteSource } from '../../io/byte-source.ts';
import { isZipSignature } from '../../io/zip-byte-source-reader.ts';
import { gunzipToTemp, isGzipSignature } from './gzip-image.ts';
import { tempCopyNotice, type UnpackEnv } from './temp-copy.ts';
import { zipImage } from './zip-image.ts';

export type { UnpackEnv };

/** A memory image taken out of the file that packs it. */
export interface Unpacked {
  /** The image's bytes; closing it deletes a temporary copy (the packing file stays its owner's to close). */
  readonly source: ByteSource;
  /** How the file packs it: "gzip (decompressed to a temporary copy)", "ZIP member memory.raw (stored, read in place)". */
  readonly packaging: string;
  readonly warnings: readonly string[];
}

/**
 * The one place a compressed or archived file becomes the memory image inside it, for every host (the temporary
 * storage is the host's): a gzip file is decompressed once into a temporary copy, a ZIP's image member is read in
 * place when stored and decompressed once when not. Undefined for a file that is neither (`head`: its first bytes).
 */
export async function unpackImage(source: ByteSource, head: Uint8Array, env: UnpackEnv): Promise<Unpacked | undefined> {
  if (isGzipSignature(head)) {
    const copy = await gunzipToTemp(source, env);
    return {
      source: copy.source,
      packaging: 'gzip (decompressed to a temporary copy)',
      warnings: [tempCopyNotice('the gzip file', copy.bytes), ...copy.warnings],
    };
  }
  if (isZipSignature(head)) return zipImage(source, env);
  return undefined;
}
