import { wrap, type Remote } from 'comlink';
import type { PluginSandboxApi } from '../engine/plugin-sandbox-api.ts';
import { MemscopeError } from '../errors.ts';
import type { SandboxInit } from './plugin-sandbox.worker.ts';

/** Chromium's URL length limit (kMaxURLChars): a longer data: URL worker fails to load without a message. */
export const MAX_URL_LENGTH = 2 * 1024 * 1024;

/** How often the page asks the sandbox for a sign of life. */
const PING_MS = 500;

/** Thrown by a sandbox call once the sandbox is stopped: why it was stopped. */
export class SandboxStopped extends Error {
  override readonly name = 'SandboxStopped';
}

/** The sandbox bundle's text and memscope.wasm, fetched once per page. */
interface SandboxCode {
  readonly script: string;
  readonly wasm: ArrayBuffer;
}

const codeByBase = new Map<string, Promise<SandboxCode>>();

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new MemscopeError('UNSUPPORTED', `the plugin sandbox could not be loaded (HTTP ${response.status})`, url.pathname);
  return response;
}

function sandboxCode(base: URL): Promise<SandboxCode> {
  let code = codeByBase.get(base.href);
  if (!code) {
    code = Promise.all([fetchOk(new URL('plugin-sandbox.worker.js', base)), fetchOk(new URL('memscope.wasm', base))]).then(
      async ([script, wasm]) => ({
        script: await script.text(),
        wasm: await wasm.arrayBuffer(),
      }),
    );
    codeByBase.set(base.href, code);
    code.catch(() => codeByBase.delete(base.href));
  }
  return code;
}

/**
 * The plugin sandbox worker as the page holds it. It starts from a data: URL, which gives it an opaque origin (none of
 * memscope's storage) under this page's Content-Security-Policy; it talks only on a port handed over in its first
 * message. A watchdog stops it when it has not answered for `limitMs` (a plugin blocking its thread); `stop` ends it
 * for any other reason. Either way only this worker is lost: the caller starts a new one.
 */
export class PluginSandbox {
  /** Resolves with why, once the worker is stopped; every call races it, as a stopped worker's calls never settle. */
  private readonly ended: Promise<string>;
  private end!: (why: string) => void;
  private why: string | undefined;
  private lastAnswer = performance.now();
  private pinging = false;
  private readonly watchdog: ReturnType<typeof setInterval>;

  private constructor(
    private readonly worker: Worker,
    private readonly api: Remote<PluginSandboxApi>,
    /** Called on every watchdog tick with how long the sandbox has not answered. */
    private readonly onSilence: (ms: number) => void,
    readonly limitMs: number,
  ) {
    this.ended = new Promise((resolve) => (this.end = resolve));
    this.watchdog = setInterval(() => this.check(), PING_MS);
    // A plugin's uncaught error ends nothing by itself (the watchdog decides whether the sandbox still answers): it
    // is not reported as the page's.
    worker.addEventListener('error', (e) => e.preventDefault());
  }

  /** Starts a sandbox from the bundle and memscope.wasm in `base` (the app's folder). */
  static async start(base: URL, limitMs: number, onSilence: (ms: number) => void): Promise<PluginSandbox> {
    const { script, wasm } = await sandboxCode(base);
    const url = `data:text/javascript;charset=utf-8,${encodeURIComponent(script)}`;
    if (url.length > MAX_URL_LENGTH) {
      throw new MemscopeError(
        'UNSUPPORTED',
        `the plugin sandbox's code is too large to start (${url.length} characters as a data: URL; browsers take ${MAX_URL_LENGTH})`,
      );
    }
    const worker = new Worker(url, {
      type: 'module',
      name: 'memscope-plugin-sandbox',
    });
    const channel = new MessageChannel();
    const init: SandboxInit = { port: channel.port2, wasm: wasm.slice(0) };
    worker.postMessage(init, [channel.port2, init.wasm]);
    const api = wrap<PluginSandboxApi>(channel.port1);
    // Started (memscope's own code, no plugin yet) before the watchdog counts; a bundle that does not load says so.
    let onError!: (e: ErrorEvent) => void;
    const failed = new Promise<never>((_, reject) => {
      onError = (e) => reject(new MemscopeError('UNSUPPORTED', `the plugin sandbox did not start: ${e.message || 'its code did not load'}`));
      worker.addEventListener('error', onError);
    });
    try {
      await Promise.race([api.ping(), failed]);
    } catch (e) {
      worker.terminate();
      throw e;
    } finally {
      worker.removeEventListener('error', onError);
    }
    return new PluginSandbox(worker, api, onSilence, limitMs);
  }

  get stopped(): boolean {
    return this.why !== undefined;
  }

  /** A call on the sandbox's API; rejects with SandboxStopped once the sandbox is stopped. */
  call<T>(work: (api: Remote<PluginSandboxApi>) => T): Promise<Awaited<T>> {
    const ended = this.ended.then((why): never => {
      throw new SandboxStopped(why);
    });
    return Promise.race([work(this.api), ended]);
  }

  /** Terminates the worker: pending and later calls reject with `why` (the first reason given). */
  stop(why: string): void {
    if (this.why !== undefined) return;
    this.why = why;
    clearInterval(this.watchdog);
    this.worker.terminate();
    this.end(why);
  }

  private check(): void {
    if (!this.pinging) {
      this.pinging = true;
      void this.api.ping().then(() => {
        this.pinging = false;
        this.lastAnswer = performance.now();
      });
    }
    const silent = performance.now() - this.lastAnswer;
    this.onSilence(silent);
    if (silent >= this.limitMs) this.stop(`did not respond for ${Math.round(this.limitMs / 1000)} s`);
  }
}
