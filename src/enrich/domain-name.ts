/** One DNS label: letters, digits, `-` and `_` (SRV names, DKIM selectors), or an IDN's own letters. */
const LABEL = /^(?!-)[\p{L}\p{N}_-]{1,63}$/u;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A domain name as providers and lists compare it — lower-case, surrounding space and trailing dots dropped — or
 * undefined when the text is not a domain name (empty, an IP address, spaces, an empty label, over 253 characters).
 */
export function normalizeDomain(text: string): string | undefined {
  const name = text.trim().toLowerCase().replace(/\.+$/, '');
  if (name === '' || name.length > 253 || IPV4.test(name) || name.includes(':')) return undefined;
  return name.split('.').every((label) => LABEL.test(label)) ? name : undefined;
}

/** `name` and each domain above it: a.b.evil.com, b.evil.com, evil.com, com. */
export function* selfAndParents(name: string): Generator<string> {
  for (let at = 0; at !== -1; at = name.indexOf('.', at) + 1 || -1) {
    yield name.slice(at);
  }
}
