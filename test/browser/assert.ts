/** Minimal assertions for browser tests (chai is not a dependency). Messages show both sides. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, message = ''): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? message + ': ' : ''}expected ${show(expected)}, got ${show(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, message = ''): void {
  if (show(actual) !== show(expected)) {
    throw new AssertionError(`${message ? message + ': ' : ''}\nexpected ${show(expected)}\n     got ${show(actual)}`);
  }
}

export function match(actual: string, pattern: RegExp, message = ''): void {
  if (!pattern.test(actual)) throw new AssertionError(`${message ? message + ': ' : ''}${show(actual)} does not match ${pattern}`);
}

/** Stable text for any value: bigints as `123n`, object keys sorted. */
function show(value: unknown): string {
  return (
    JSON.stringify(value, (_, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v === undefined) return '<undefined>';
      if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
      return v;
    }) ?? String(value)
  );
}
