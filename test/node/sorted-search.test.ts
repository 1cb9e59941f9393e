import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countBelow } from '../../src/plugins/common/sorted-search.ts';

describe('countBelow', () => {
  it('equals counting by hand, below and at-or-below, on values with repeats, at the ends and between', () => {
    const sorted = [0, 3, 3, 3, 7, 10, 10, 42];
    for (let value = -1; value <= 43; value++) {
      assert.equal(countBelow(sorted, value), sorted.filter((v) => v < value).length, `below ${value}`);
      assert.equal(countBelow(sorted, value, true), sorted.filter((v) => v <= value).length, `at or below ${value}`);
    }
    assert.equal(countBelow([], 5), 0);
  });
});
