import { MemscopeError } from '../errors.ts';

/**
 * Validates a read request against a source of `size` bytes and returns the end offset actually
 * readable: reads past the end are short (possibly empty), never an error.
 */
export function readEnd(name: string, size: number, offset: number, length: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new MemscopeError('BAD_REQUEST', `invalid read of ${length} bytes at offset ${offset}`, name);
  }
  return Math.min(size, offset + length);
}

/** The `cause` of a failed platform read, in words. */
export function describeCause(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
