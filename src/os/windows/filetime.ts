const EPOCH_DIFF_SECONDS = 11644473600n;
const MAX_UNIX_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

/**
 * FILETIME (100 ns since 1601) → ISO-8601 UTC at whole seconds, as Volatility 3 reports it
 * ("2020-01-02T03:04:05+00:00"); null when zero or out of range (Volatility's N/A / unparsable).
 */
export function filetimeToIso(filetime: bigint): string | null {
  const seconds = filetime / 10_000_000n;
  if (seconds === 0n) return null;
  const unix = seconds - EPOCH_DIFF_SECONDS;
  if (unix < -EPOCH_DIFF_SECONDS || unix > MAX_UNIX_SECONDS) return null;
  return new Date(Number(unix) * 1000).toISOString().replace('.000Z', '+00:00');
}
