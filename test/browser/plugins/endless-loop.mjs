// A third-party plugin whose run never yields and never returns: it blocks its worker's thread, so only stopping
// the plugin sandbox ends it (test/browser/e2e-third-party-plugins.test.ts).
export default {
  name: 'test.endless',
  version: '1.0.0',
  description: 'Loops forever without yielding.',
  requirements: [],
  columns: [{ name: 'Never', type: 'str' }],
  options: [],
  tree: false,
  // eslint-disable-next-line require-yield -- it hangs before its first row, on purpose
  async *run() {
    for (;;);
  },
};
