/** Why an image, symbol file or request could not be used. Every failure the user can cause maps to one code. */
export type ErrorCode =
  | 'UNKNOWN_FORMAT'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'READ_FAILED'
  | 'SYMBOLS_MISSING'
  | 'SYMBOLS_INVALID'
  | 'OS_NOT_FOUND'
  | 'UNSUPPORTED'
  | 'CANCELLED'
  | 'BAD_REQUEST';

/** One typed error with a message a person understands; `subject` names the file or object concerned. */
export class MemscopeError extends Error {
  override readonly name = 'MemscopeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly subject?: string,
  ) {
    super(subject ? `${subject}: ${message}` : message);
  }
}

export function isMemscopeError(e: unknown): e is MemscopeError {
  return e instanceof Error && (e as MemscopeError).name === 'MemscopeError' && typeof (e as MemscopeError).code === 'string';
}
