/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what an ISO-8601 date can say. */
const MIN_UNIX_SECONDS = -62135596800n;
const MAX_UNIX_SECONDS = 253402300799n;

/** Seconds since 1970 → ISO-8601 UTC at whole seconds, as Volatility 3 prints it ("2020-01-02T03:04:05+00:00"); null when out of range. */
export function unixSecondsToIso(unix: bigint): string | null {
  if (unix < MIN_UNIX_SECONDS || unix > MAX_UNIX_SECONDS) return null;
  return new Date(Number(unix) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** Nanoseconds since 1970 as ISO 8601 with microseconds ("2024-03-05T10:11:12.345678+00:00"); null out of range. */
export function nanosToIso(ns: bigint): string | null {
  const fraction = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const seconds = unixSecondsToIso((ns - fraction) / 1_000_000_000n);
  if (seconds === null) return null;
  const micros = (fraction / 1000n).toString().padStart(6, '0');
  return seconds.replace('+00:00', `.${micros}+00:00`);
}
