/**
 * Why an image, symbol file or request could not be used. Every failure the user can cause maps to one code;
 * INTERNAL marks memscope's own bugs: whatever is thrown that is not a MemscopeError.
 */
export type ErrorCode =
  | 'INTERNAL'
  | 'UNKNOWN_FORMAT'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'READ_FAILED'
  | 'SYMBOLS_MISSING'
  | 'SYMBOLS_INVALID'
  | 'OS_NOT_FOUND'
  | 'UNSUPPORTED'
  | 'CANCELLED'
  | 'BAD_REQUEST'
  /** A plugin needs another plugin that is missing, too old or too new, or part of a requirement cycle. */
  | 'REQUIREMENTS_UNMET'
  /** A third-party plugin's declaration is not valid (or its module does not load). */
  | 'BAD_PLUGIN'
  /** A third-party plugin threw or yielded rows that do not fit its columns: its author's bug, not memscope's. */
  | 'PLUGIN_FAILED';

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

/** What is known about something thrown that is not a MemscopeError (a bug in memscope). */
export function describeInternal(e: unknown): { readonly message: string; readonly stack?: string } {
  return e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
}
