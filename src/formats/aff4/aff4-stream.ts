/** A readable AFF4 object: an image stream, a map or a symbolic stream. */
export interface Aff4Stream {
  readonly urn: string;
  /** Bytes readable at 0..size; Infinity for symbolic streams. */
  readonly size: number;
  /** Fills `target` with the stream's bytes at `offset` (the range lies inside 0..size). */
  readInto(offset: number, target: Uint8Array): Promise<void>;
}
