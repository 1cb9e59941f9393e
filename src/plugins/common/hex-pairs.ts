/** Bytes as Volatility 3's text renderer shows a `bytes` value: lower-case hex pairs separated by spaces. */
export function hexPairs(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
