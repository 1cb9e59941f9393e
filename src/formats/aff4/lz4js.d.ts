declare module 'lz4js' {
  /**
   * Decodes one raw LZ4 block src[sIndex, sIndex + sLength) into dst from dIndex; returns the index after the last byte
   * written. Unchecked: writes past dst's end are dropped by the typed array, so the caller compares the result with
   * dst's length.
   */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  /** Encodes one raw LZ4 block (used by the test-side AFF4 writer); returns its length, 0 when it does not fit dst. */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  export function compressBound(n: number): number;
}
