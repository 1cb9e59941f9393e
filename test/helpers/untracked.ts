// Runs engine work with the test runner's async-resource tracking paused (see test-runner-hook.mjs): the test still
// awaits the work and fails on its errors; only an uncaught error thrown meanwhile is reported without its test's name.

interface Hook {
  enable(): void;
  disable(): void;
}

let depth = 0;

export async function untracked<T>(work: () => Promise<T>): Promise<T> {
  const hook = (globalThis as { __memscopeTestRunnerHook?: Hook }).__memscopeTestRunnerHook;
  if (!hook) return work();
  if (depth++ === 0) hook.disable();
  try {
    return await work();
  } finally {
    if (--depth === 0) hook.enable();
  }
}
