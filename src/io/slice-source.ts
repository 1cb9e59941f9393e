import { BlobSource } from './blob-source.ts';
import type { ByteSource } from './byte-source.ts';
import { readEnd } from './read-bounds.ts';

/**
 * Bytes `offset .. offset + size` of another source as a source of their own (a stored ZIP member read in place). A
 * Blob is sliced as a Blob, so that the browser's scan workers can read the member themselves. Closing it leaves the
 * outer source open: its owner closes it.
 */
export function sliceSource(source: ByteSource, offset: number, size: number, name: string): ByteSource {
  if (source instanceof BlobSource) return new BlobSource(source.blob.slice(offset, offset + size), name);
  return {
    name,
    size,
    read: (at, length) => source.read(offset + at, Math.max(0, readEnd(name, size, at, length) - at)),
  };
}
