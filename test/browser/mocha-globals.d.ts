// The mocha globals @web/test-runner provides in the page (no @types/mocha in this project).
interface MochaSuiteContext {
  /** Per-test time limit for this suite, in ms (the config's default is 10 s). */
  timeout(ms: number): void;
}
declare function describe(title: string, body: (this: MochaSuiteContext) => void): void;
declare function it(title: string, body: () => void | Promise<void>): void;
declare function before(body: () => void | Promise<void>): void;
declare function after(body: () => void | Promise<void>): void;
declare function beforeEach(body: () => void | Promise<void>): void;
declare function afterEach(body: () => void | Promise<void>): void;
