import type { VirtualMemory } from '../../plugins/api/memory.ts';

const PAGE = 0x1000;
const utf16 = new TextDecoder('utf-16le');

/**
 * The NUL-terminated UTF-16 string at `address` (a PWSTR), read page by page, of at most `maxBytes` bytes (cut
 * there when no NUL comes first); null for a NULL pointer or when its first page is unreadable (a later unreadable
 * page ends the string).
 */
export async function readWideString(space: Pick<VirtualMemory, 'read'>, address: bigint, maxBytes: number): Promise<string | null> {
  if (address === 0n) return null;
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < maxBytes) {
    const at = address + BigInt(length);
    const chunk = await space.read(at, Math.min(PAGE - Number(at % BigInt(PAGE)), maxBytes - length));
    if (!chunk) break;
    parts.push(chunk);
    length += chunk.length;
    if (nulAt(chunk, length - chunk.length) >= 0) break;
  }
  if (length === 0) return null;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  const end = nulAt(bytes, 0);
  return utf16.decode(bytes.subarray(0, end < 0 ? length - (length % 2) : end));
}

/** Offset of the first NUL code unit in `bytes` (code units counted from `base`, the string's start); -1 for none. */
function nulAt(bytes: Uint8Array, base: number): number {
  for (let i = base % 2; i + 1 < bytes.length; i += 2) if (bytes[i] === 0 && bytes[i + 1] === 0) return i;
  return -1;
}
