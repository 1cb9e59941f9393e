declare module 'snappyjs' {
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
  /** Decompresses one raw snappy block; throws when it is invalid or would exceed `maxLength` bytes. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses one raw snappy block (used by the test-side AFF4 writer). */
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
