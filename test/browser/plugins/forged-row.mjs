// A hostile third-party plugin that gets a bad row past the plugin sandbox's own check: it rewrites Array.isArray,
// which memscope's code in the sandbox shares with it, and yields values that are not a list. The page checks rows
// again where plugin code cannot reach (test/browser/e2e-third-party-plugins.test.ts).
export default {
  name: 'test.forged',
  version: '1.0.0',
  description: 'Yields a row whose values are not a list.',
  requirements: [],
  columns: [{ name: 'PID', type: 'int' }],
  options: [],
  tree: false,
  async *run() {
    const values = { length: 1, 0: 4 };
    const isArray = Array.isArray;
    Array.isArray = (v) => v === values || isArray(v);
    yield { depth: 0, values };
  },
};
