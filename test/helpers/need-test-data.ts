import { test } from 'node:test';
import { dataRequired, testDataMissing } from './test-data.ts';

const failed = new Set<string>();

/**
 * A node:test `skip` value for tests that need `part` of the external test data (see test-data.ts): false when
 * it is here, else the reason. With CI=true the reason also registers one failing test (once per reason), so the
 * run fails while the dependent tests still report as skipped rather than as a pile of ENOENTs.
 */
export function needTestData(part: string, tools: readonly string[] = []): string | false {
  const missing = testDataMissing(part, tools);
  if (!missing) return false;
  if (dataRequired() && !failed.has(missing)) {
    failed.add(missing);
    test(`test data is present (CI=true): ${part}`, () => {
      throw new Error(missing);
    });
  }
  return missing;
}
