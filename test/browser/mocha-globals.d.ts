// The mocha globals @web/test-runner provides in the page (no @types/mocha in this project).
interface MochaSuiteContext {
  /** Per-test time limit for this suite, in ms (the config's default is 10 s). */
  timeout(ms: number): void;
}
/** What `this` is in a hook or test written as a function. */
interface MochaRunnableContext {
  /** Marks the test (in a before hook: every test of the suite) as skipped, e.g. when its data is not here. */
  skip(): never;
  /** This test's own time limit, in ms. */
  timeout(ms: number): void;
}
declare function describe(title: string, body: (this: MochaSuiteContext) => void): void;
declare function it(title: string, body: (this: MochaRunnableContext) => void | Promise<void>): void;
declare function before(body: (this: MochaRunnableContext) => void | Promise<void>): void;
declare function after(body: () => void | Promise<void>): void;
declare function beforeEach(body: () => void | Promise<void>): void;
declare function afterEach(body: () => void | Promise<void>): void;
