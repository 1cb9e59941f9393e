/** First index in [from, limit) where `needle` starts in `haystack` (it may run on past `limit`), or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number, limit = haystack.length): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first!, from); i >= 0 && i < limit; i = haystack.indexOf(first!, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
