import { MemscopeError } from '../errors.ts';
import type { ByteSource } from './byte-source.ts';
import { hex } from './hex.ts';

/**
 * Reads exactly `length` bytes of the structure named `what`. If the file is too short → TRUNCATED
 * naming the file, checked before reading so a bogus length read from the file allocates nothing.
 */
export async function readExact(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  const fits = offset + length <= source.size;
  const bytes = fits ? await source.read(offset, length) : new Uint8Array(0);
  if (bytes.length < length) {
    throw new MemscopeError(
      'TRUNCATED',
      `file is truncated: it ends at ${hex(source.size)} (${source.size} bytes), ` +
        `before the end of the ${what} (${hex(offset)}..${hex(offset + length)})`,
      source.name,
    );
  }
  return bytes;
}
