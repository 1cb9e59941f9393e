import type { VirtualMemory } from '../../plugins/api/memory.ts';

/**
 * Reads a _UNICODE_STRING given its 16 raw bytes (Length u16, MaximumLength u16, pad, Buffer u64).
 * null when the buffer is unmapped or the header is implausible; an empty string stays "".
 */
export async function readUnicodeString(space: VirtualMemory, header: Uint8Array): Promise<string | null> {
  if (header.length < 16) return null;
  const dv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const length = dv.getUint16(0, true);
  const maximum = dv.getUint16(2, true);
  const buffer = dv.getBigUint64(8, true);
  if (length === 0) return '';
  if (length % 2 !== 0 || (maximum !== 0 && length > maximum) || buffer === 0n) return null;
  const bytes = await space.read(buffer, length);
  return bytes && new TextDecoder('utf-16le').decode(bytes);
}
