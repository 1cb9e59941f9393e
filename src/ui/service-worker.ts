import { Workbox } from 'workbox-window';

/** Registers the build's service worker (offline use). Dev and test pages have none; that is fine. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  new Workbox('sw.js').register().catch(() => console.info('memscope: no service worker in this build; offline use is off.'));
}
