// Preloaded into every Node test process (`--import`, before tsx). Node 20's test runner attributes every async
// resource — each promise included — to the test that created it through an async hook (init + destroy), which
// makes each promise several times costlier: engine-heavy tests ran 2-5x slower than the same code outside a test.
// This keeps that hook's handle so test helpers can pause it around engine work (see untracked.ts). Nothing changes
// when a Node release creates its hook elsewhere: the handle is then simply not found.
import asyncHooks from 'node:async_hooks';

const createHook = asyncHooks.createHook;
asyncHooks.createHook = function (callbacks) {
  const hook = createHook(callbacks);
  if (new Error().stack?.includes('internal/test_runner/harness')) globalThis.__memscopeTestRunnerHook = hook;
  return hook;
};
