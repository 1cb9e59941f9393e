const utf8 = new TextDecoder('utf-8');

/** Text of a fixed char array or buffer, cut at the first NUL (UTF-8, invalid bytes replaced). */
export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
