/**
 * IP addresses as numbers, for sorting network results: IPv4 (dotted quad) before IPv6 (RFC 5952 or any valid
 * text form, a trailing dotted quad included), each by value. Other text has no value.
 */
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-f:.]+$/i;
const V6_BASE = 1n << 32n;

const cache = new Map<string, bigint | null>();
const CACHE_LIMIT = 100_000;

export function ipValue(text: string): bigint | undefined {
  let value = cache.get(text);
  if (value === undefined) {
    value = parse(text);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, value);
  }
  return value ?? undefined;
}

function parse(text: string): bigint | null {
  const v4 = ipv4Value(text);
  if (v4 !== null) return v4;
  return text.includes(':') && IPV6.test(text) ? ipv6Value(text) : null;
}

function ipv4Value(text: string): bigint | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) : null;
}

function ipv6Value(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    for (const part of half.split(':')) {
      if (part.includes('.')) {
        const v4 = ipv4Value(part);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(parseInt(part, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return V6_BASE + all.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
}
