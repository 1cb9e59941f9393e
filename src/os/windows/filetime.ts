import { unixSecondsToIso } from '../unix-time.ts';

const EPOCH_DIFF_SECONDS = 11644473600n;

/**
 * FILETIME (100 ns since 1601) → ISO-8601 UTC at whole seconds, as Volatility 3 reports it
 * ("2020-01-02T03:04:05+00:00"); null when zero or out of range (Volatility's N/A / unparsable).
 */
export function filetimeToIso(filetime: bigint): string | null {
  const seconds = filetime / 10_000_000n;
  return seconds === 0n ? null : unixSecondsToIso(seconds - EPOCH_DIFF_SECONDS);
}
