// Browser tests: `npm run test:browser` (after `npm run build` for tests that load dist/).
// Debian Chromium, headless, no network beyond this server (the page CSP below enforces it).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Mirrors public/index.html's policy; 'unsafe-inline' scripts are the runner's own glue. */
const CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; " +
  "worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:";

/**
 * Commands tests run on the server with `executeServerCommand` (@web/test-runner-commands).
 * Add end-to-end helpers here (OPFS setup, going offline, ...).
 */
const serverCommands = {
  /** Puts a file of this repository into an <input type=file> (selector may pierce shadow roots with >>>). */
  async 'upload-file'({ selector, path }, page) {
    const file = resolve(ROOT, path);
    if (!file.startsWith(ROOT)) throw new Error(`upload-file: ${path} is outside the project`);
    const input = await page.$(selector);
    if (!input) throw new Error(`upload-file: nothing matches ${selector}`);
    await input.uploadFile(file);
    return true;
  },
};

export default {
  rootDir: ROOT,
  files: 'test/browser/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: resolve(ROOT, 'tsconfig.json') }),
    {
      name: 'memscope-server-commands',
      async executeCommand({ command, payload, session }) {
        const run = serverCommands[command];
        if (!run) return undefined;
        return run(payload, session.browser.getPage(session.id));
      },
    },
  ],
  // Chromium reports "ResizeObserver loop completed with undelivered notifications" as an error event when
  // the virtualizer re-measures within a frame; it is harmless, and mocha would count it as a failure.
  testRunnerHtml: (testFramework) => `<!doctype html>
<html>
  <head>
    <meta http-equiv="Content-Security-Policy" content="${CSP}">
    <script>
      addEventListener('error', (e) => /^ResizeObserver loop/.test(e.message) && e.stopImmediatePropagation(), true);
    </script>
  </head>
  <body><script type="module" src="${testFramework}"></script></body>
</html>`,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 60000,
};
