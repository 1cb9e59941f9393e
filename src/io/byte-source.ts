/**
 * Random-access bytes: a browser `Blob`/`File`, a Node file handle, or memory.
 * Offsets are numbers: files above 2^53 bytes do not exist.
 */
export interface ByteSource {
  /** File name shown to the user and used in error messages. */
  readonly name: string;
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; shorter only at end of file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Reads up to `target.length` bytes at `offset` into `target` (no allocation); returns the count. */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
  close?(): Promise<void>;
}
