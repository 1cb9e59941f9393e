import type { ByteSource } from './byte-source.ts';

/**
 * Where a decompressed copy of an image is kept while it is open (a gzip stream or a deflated ZIP member has no
 * random access): a file in the system's temporary directory in Node, the origin private file system in the browser.
 */
export interface TempStorage {
  /** A new, empty temporary file; `name` is what the copy is called in messages (the member, the file without `.gz`). */
  create(name: string): Promise<TempFile>;
}

export interface TempFile {
  /** Appends `bytes`; the promise settles once they are stored, so a writer holds one chunk at a time. */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends writing: the copy, as a ByteSource whose `close` deletes it. */
  finish(): Promise<ByteSource>;
  /** Deletes a copy that will not be finished (a failure, a cancel). */
  discard(): Promise<void>;
}
