/**
 * What keeps third-party code in the plugin sandbox away from memscope. The page starts the sandbox from a data: URL:
 * Chromium gives such a worker an opaque origin (so no IndexedDB, Cache Storage, OPFS or Web Locks of memscope's
 * origin: the browser refuses them) and the page's Content-Security-Policy (connect-src 'self', script-src without
 * 'unsafe-eval'). `isIsolated` checks both before any plugin is imported; `lockDown` takes what neither covers.
 */

/** Whether this worker has an opaque origin and runs under a CSP (one that forbids eval, as the page's does). */
export function isIsolated(): boolean {
  if (self.origin !== 'null') return false;
  try {
    new Function('');
    return false;
  } catch {
    return true;
  }
}

/** Globals plugin code must not have: nested workers, and the worker's own channel to the page (memscope talks on a port of its own). */
const WITHHELD = ['Worker', 'SharedWorker', 'postMessage'] as const;

/**
 * Removes WITHHELD from the global object and from every prototype it inherits them from, as non-configurable,
 * non-writable properties: plugin code can neither restore nor redefine them.
 */
export function lockDown(): void {
  for (const name of WITHHELD) {
    for (let o: object | null = self; o; o = Object.getPrototypeOf(o)) {
      if (o === self || Object.prototype.hasOwnProperty.call(o, name)) {
        Object.defineProperty(o, name, { value: undefined, writable: false, configurable: false, enumerable: false });
      }
    }
  }
}
