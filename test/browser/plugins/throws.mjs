// A third-party plugin with a bug: one row, then it throws (test/browser/e2e-third-party-plugins.test.ts).
export default {
  name: 'test.throws',
  version: '1.0.0',
  description: 'Yields one row, then throws.',
  requirements: [],
  columns: [{ name: 'Row', type: 'int' }],
  options: [],
  tree: false,
  async *run() {
    yield { depth: 0, values: [1] };
    throw new RangeError('index 7 is out of range');
  },
};
