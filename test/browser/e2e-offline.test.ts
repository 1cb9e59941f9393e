import { executeServerCommand } from '@web/test-runner-commands';
import { windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';

// The installed app (service worker, scope /dist/): a first visit caches the app but not the sample image; once the
// sample was opened online, the app reloaded with the network gone must still start, open "Try a sample" and list its
// processes. Runs in a second page (page-* server commands), because the test page talks to the test runner over
// the network.
const SAMPLE = 'dist/sample/sample.raw';
const SAMPLE_SIZE = 16 * 1024 * 1024;
const APP = 'memscope-app >>> ';

const command = <T>(name: string, payload: Record<string, unknown> = {}) => executeServerCommand(name, payload) as Promise<T>;
const text = (selector: string, includes = '', timeout?: number) => command<string>('page-text', { selector, includes, timeout });
const click = (selector: string) => command<boolean>('page-click', { selector });

describe('end to end: the installed app offline', function () {
  this.timeout(30000);
  let sample: WindowsFixture;

  before(async () => {
    // The build's sample is the generator's image at its defaults; that makes the truth file apply to it.
    sample = await windowsFixture(SAMPLE_SIZE);
    equal(
      await command<string>('file-sha256', { path: SAMPLE }),
      await command<string>('file-sha256', { path: sample.image }),
      `${SAMPLE} is the generator's default 16 MiB image`,
    );
  });

  after(async () => {
    await command('page-offline', { offline: false }).catch(() => undefined);
    await command('page-close');
  });

  it('caches no sample on the first visit; opened once online, the sample opens and lists its processes after an offline reload', async () => {
    await command('page-open', { path: '/dist/index.html' });
    let worker = await command<{ scope: string; controlled: boolean }>('page-service-worker');
    ok(new URL(worker.scope).pathname === '/dist/', `service worker scope ${worker.scope}`);
    if (!worker.controlled) {
      // A page loaded before its service worker activated is controlled from its next load on.
      await command('page-reload');
      worker = await command('page-service-worker');
    }
    ok(worker.controlled, 'the service worker controls the page');
    // What installing the service worker downloads is its precache (other tests' pages may have opened the sample
    // already, which the runtime cache then holds).
    const precached = (await command<{ cache: string; url: string }[]>('page-cached-urls')).filter((c) => c.cache.startsWith('workbox-precache'));
    ok(
      precached.some((c) => c.url.includes('/dist/app/engine.worker.js')),
      'the app is precached',
    );
    deepEqual(
      precached.filter((c) => c.url.includes('/sample/sample.raw')),
      [],
      'installing the app downloads no sample image',
    );

    await click(`${APP}button.sample`);
    await text(`${APP}image-summary >>> dd.file-name`, 'sample.raw', 15000);
    // A new visit (no view in its URL), then offline.
    await command('page-open', { path: '/dist/index.html' });
    ok((await command<{ controlled: boolean }>('page-service-worker')).controlled, 'the service worker controls the new page');
    await command('page-offline', { offline: true });
    await command('page-reload');
    await click(`${APP}button.sample`);
    await text(`${APP}image-summary >>> dd.file-name`, 'sample.raw', 15000);
    await click(`${APP}plugin-picker >>> button[data-plugin="windows.pslist"]`);
    await click(`${APP}plugin-picker >>> button[type=submit]`);
    await text(`${APP}.result-state`, 'rows in', 15000);

    const linked = sample.expected.processes.filter((p) => p.linked);
    equal(await text(`${APP}result-table >>> .count`), `${linked.length} rows (${linked.length} shown)`);
    const rows = await command<string[][]>('page-cells', { selector: `${APP}result-table >>> .grid-row`, count: linked.length });
    deepEqual(
      rows.map((r) => r.slice(0, 3).join(' | ')).sort(),
      linked.map((p) => [p.pid, p.ppid, p.name].join(' | ')).sort(),
      'PID | PPID | ImageFileName',
    );

    const refused = await command<string[]>('page-offline', { offline: false });
    // Only the browser's own update check of the service worker script may try the network.
    deepEqual(
      refused.filter((path) => path !== '/dist/sw.js'),
      [],
      'requests for /dist/ that reached the server while offline',
    );
  });
});
