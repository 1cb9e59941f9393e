import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { MemscopeError } from '../errors.ts';
import { workerEntry } from '../node/worker-entry.ts';
import { reportFailure } from './report-failure.ts';

/** What the hosted command line tells the main thread: that it still answers, and which plugin it runs. */
type HostMessage = { readonly kind: 'alive' } | { readonly kind: 'running'; readonly plugin: string };

const BEAT_MS = 250;
const HOSTED = 'memscope-plugin-host';

/** Whether this thread is the one runHosted started. */
export function isHosted(): boolean {
  return !isMainThread && (workerData as { readonly role?: string } | null)?.role === HOSTED;
}

/** In the hosted thread: a sign of life every BEAT_MS while its event loop is free (a plugin blocking it stops them). */
export function startBeating(): void {
  setInterval(() => post({ kind: 'alive' }), BEAT_MS).unref();
}

/** In the hosted thread: names the plugin about to run, for the message if it has to be stopped. */
export function announceRun(plugin: string): void {
  if (isHosted()) post({ kind: 'running', plugin });
}

function post(message: HostMessage): void {
  parentPort?.postMessage(message);
}

/**
 * Runs the command line `argv` again in a worker thread of this process (`entry`: the CLI's own module), with its
 * stdout and stderr; resolves with its exit status. Third-party plugin code (module loading included) then never
 * runs on the main thread, which stops the worker when it has not answered for `limitMs` (0: never) — a plugin
 * caught in an endless loop costs its run, with a message, not a hung command.
 */
export function runHosted(entry: URL, argv: readonly string[], limitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const [code, kind] = workerEntry(entry);
    const worker = new Worker(code, { ...kind, argv: [...argv], workerData: { role: HOSTED } });
    let lastAnswer = Date.now();
    let running: string | undefined;
    worker.on('message', (m: HostMessage) => {
      lastAnswer = Date.now();
      if (m.kind === 'running') running = m.plugin;
    });
    const watchdog = setInterval(() => {
      if (limitMs === 0 || Date.now() - lastAnswer < limitMs) return;
      clearInterval(watchdog);
      void worker.terminate();
      const what = running ? `third-party plugin ${running}` : 'a third-party plugin module (while loading --plugin-dir)';
      const error = new MemscopeError(
        'PLUGIN_FAILED',
        `${what} did not respond for ${limitMs / 1000} s and was stopped (an endless loop?); --plugin-timeout SECONDS allows longer`,
      );
      resolve(reportFailure(error, false, process.stderr));
    }, BEAT_MS);
    worker.on('error', (e) => {
      clearInterval(watchdog);
      resolve(reportFailure(e, argv.includes('--debug'), process.stderr));
    });
    worker.on('exit', (code) => {
      clearInterval(watchdog);
      resolve(code);
    });
  });
}
