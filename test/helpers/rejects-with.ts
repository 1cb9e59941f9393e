import assert from 'node:assert/strict';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';

/** Asserts that `promise` rejects with a MemscopeError of `code` whose message mentions each of `mentions`. */
export function rejectsWith(promise: Promise<unknown>, code: ErrorCode, ...mentions: string[]): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(isMemscopeError(e), `expected a MemscopeError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const text of mentions) assert.ok(e.message.includes(text), `"${e.message}" should mention "${text}"`);
    return true;
  });
}
