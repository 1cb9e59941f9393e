// Browser tests: `npm run test:browser` (after `npm run build` for tests that load dist/).
// Debian Chromium, headless, no network beyond this server (the page CSP below enforces it).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { CHROMIUM_ARGS, findChromium, NO_CHROMIUM } = await tsImport('../helpers/chromium.ts', import.meta.url);
const testData = await tsImport('../helpers/test-data.ts', import.meta.url);
const CHROMIUM = findChromium();
if (!CHROMIUM) throw new Error(`browser tests: ${NO_CHROMIUM}`);

/** Why tests asked for test data that is missing (printed in one line when the run ends). */
const missingData = new Set();

/** Mirrors public/index.html's policy; 'unsafe-inline' scripts are the runner's own glue. */
const CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:; " +
  "worker-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:";

/** Generated images for end-to-end tests (git-ignored): one folder per run, removed when the server stops. */
const FIXTURES = resolve(ROOT, '.cache/browser-fixtures');
let fixtureDir;
function runFixtureDir() {
  fixtureDir ??= mkdir(FIXTURES, { recursive: true }).then(() => mkdtemp(join(FIXTURES, 'run-')));
  return fixtureDir;
}

/** A path inside the project, or an error naming the command. */
function projectPath(command, path) {
  const file = resolve(ROOT, path);
  if (!file.startsWith(ROOT)) throw new Error(`${command}: ${path} is outside the project`);
  return file;
}

/**
 * Synthetic Windows images (test/fixtures/windows), generated once per run so they always match the
 * generator's code: { image, symbols } are project-relative paths, `expected` is its truth file.
 */
const windowsImages = new Map();
function windowsImage({ size, seed, build, bulkHandles }) {
  const key = `${size}/${seed ?? 'default'}/${build ?? 'default'}/${bulkHandles ?? 0}`;
  if (!windowsImages.has(key)) {
    const generate = async () => {
      const { writeWindowsImage } = await tsImport('../fixtures/windows/generate.ts', import.meta.url);
      // Another kernel than the default (the repository's 19041 table) comes from the test data's symbol packs.
      let isfPath;
      if (build !== undefined) {
        const { WINDOWS_KERNELS } = await tsImport('../helpers/windows-kernels.ts', import.meta.url);
        const kernel = WINDOWS_KERNELS.find((k) => k.build === build);
        if (!kernel) throw new Error(`windows-image: no kernel of build ${build} in test/helpers/windows-kernels.ts`);
        if (kernel.skip && testData.dataRequired()) throw new Error(`${kernel.skip} (CI=true: test data is required)`);
        if (kernel.skip) {
          missingData.add(kernel.skip.slice(testData.MISSING_DATA.length).trim());
          return { skip: kernel.skip };
        }
        isfPath = kernel.isfPath;
      }
      const name = `win-${size / 1024 / 1024}MiB-seed${seed ?? 'default'}${build === undefined ? '' : `-${build}`}${bulkHandles ? `-bulk${bulkHandles}` : ''}`;
      const written = await writeWindowsImage(await runFixtureDir(), { size, seed, name, isfPath, bulkHandles });
      const tcpipSymbols = written.tcpipSymbolsPath && relative(ROOT, written.tcpipSymbolsPath);
      return { image: relative(ROOT, written.imagePath), symbols: relative(ROOT, written.symbolsPath), tcpipSymbols, expected: written.expected };
    };
    windowsImages.set(key, generate());
    windowsImages.get(key).catch(() => windowsImages.delete(key));
  }
  return windowsImages.get(key);
}

async function fileHash(file, algorithm) {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/** Every request the test page (its frames and workers, nested ones included) makes while recording. */
const recordings = new Map();

/**
 * A second page per test session, driven from the test with the page-* commands (e.g. to reload it
 * offline, which the test page itself cannot survive: its commands travel over the network).
 */
const extraPages = new Map();
function extraPage(sessionId) {
  const page = extraPages.get(sessionId);
  if (!page) throw new Error('no page open: call page-open first');
  return page;
}

/**
 * Requests this server received for /off-origin/ (HTTP, and WebSocket upgrades): where a hostile plugin in a test
 * sends data, addressing this server under another host name than the test page's, i.e. from another origin.
 */
const offOrigin = [];

/** While on, the server refuses /dist/ as if the network were down, so no fetch can slip past the service worker. */
const offline = { on: false, refused: [] };

/**
 * The Umbrella Investigate stand-in (test/helpers/umbrella-mock.ts, with CORS: the page asks it from another origin)
 * the enrichment tests point the page at: its known names, or an HTTP status it answers every lookup with.
 */
let umbrellaMock;
const umbrellaAnswer = { known: {}, status: undefined, headers: {} };

/** Polls `probe` (which may throw while the page renders) until it returns a value other than undefined. */
async function poll(probe, what, timeout = 10000) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Commands tests run on the server with `executeServerCommand` (@web/test-runner-commands):
 * `run(payload, testPage, sessionId)`.
 */
const serverCommands = {
  /**
   * Puts a file of this repository into an <input type=file> (selector may pierce shadow roots with >>>),
   * in the test page or in its iframe named `frame`; `paths`: several files picked at once.
   */
  async 'upload-file'({ selector, path, paths, frame }, page) {
    const files = (paths ?? [path]).map((p) => projectPath('upload-file', p));
    let scope = page;
    if (frame) {
      scope = await (await page.$(`iframe[name="${frame}"]`))?.contentFrame();
      if (!scope) throw new Error(`upload-file: no iframe named ${frame}`);
    }
    const input = await scope.$(selector);
    if (!input) throw new Error(`upload-file: nothing matches ${selector}`);
    await input.uploadFile(...files);
    return true;
  },

  /**
   * Writes a synthetic Windows image and its symbol pack into this run's folder of .cache/browser-fixtures/
   * (`bulkHandles`: that many more handles in explorer.exe's table, see test/fixtures/windows/handle-tables.ts).
   */
  'windows-image'({ size, seed, build, bulkHandles }) {
    return windowsImage({ size, seed, build, bulkHandles });
  },

  /** Offset of a field in the generator's default ISF (the one every generated image uses): `_EPROCESS` `ImageFileName`. */
  async 'isf-field-offset'({ struct, field }) {
    const { loadIsf } = await tsImport('../fixtures/windows/isf.ts', import.meta.url);
    return (await loadIsf()).offsetOf(struct, field);
  },

  /**
   * A capture of the real Linux fixture (decompressed once into .cache/fixtures): its project-relative path and
   * truth.json, or { skip } saying why it is not available here (an error with CI=true: see test/helpers/test-data.ts).
   */
  async 'linux-fixture'({ capture }) {
    const fixture = await tsImport('../helpers/linux-fixture.ts', import.meta.url);
    const skip = fixture.linuxFixtureMissing();
    if (skip && testData.dataRequired()) throw new Error(`${skip} (CI=true: test data is required)`);
    if (skip) {
      missingData.add(skip.slice(testData.MISSING_DATA.length).trim());
      return { skip };
    }
    return { path: relative(ROOT, await fixture.linuxFixtureFile(capture)), truth: fixture.linuxTruth() };
  },

  /** The Linux fixture's raw capture packed (`packing`: 'gz', or 'zip' with the capture stored) into this run's fixture folder, or { skip }. */
  async 'packed-linux-fixture'({ packing }) {
    const raw = await serverCommands['linux-fixture']({ capture: 'linux-a.raw' });
    if (raw.skip) return raw;
    const writer = await tsImport('../helpers/packed-image-writer.ts', import.meta.url);
    const path = join(await runFixtureDir(), packing === 'gz' ? 'linux-a.raw.gz' : 'linux-a.zip');
    if (packing === 'gz') await writer.writeGzip(resolve(ROOT, raw.path), path);
    else await writer.writeZip(path, [{ name: 'linux-a.raw', from: resolve(ROOT, raw.path), level: 0 }]);
    return { ...raw, path: relative(ROOT, path) };
  },

  /** A project file gzipped into this run's fixture folder, as `<its name>.gz`: the project-relative path. */
  async 'gzipped-file'({ path }) {
    const writer = await tsImport('../helpers/packed-image-writer.ts', import.meta.url);
    const to = join(await runFixtureDir(), `${basename(path)}.gz`);
    await writer.writeGzip(projectPath('gzipped-file', path), to);
    return relative(ROOT, to);
  },

  /** The real Linux capture as a VMware .vmem + .vmss in this run's fixture folder (project-relative paths), or { skip }. */
  async 'vmware-linux-pair'() {
    const fixture = await serverCommands['linux-fixture']({ capture: 'linux-a.raw' });
    if (fixture.skip) return fixture;
    const { writeLinuxVmwarePair } = await tsImport('../helpers/vmware-linux.ts', import.meta.url);
    const pair = await writeLinuxVmwarePair(await runFixtureDir());
    return { vmem: relative(ROOT, pair.vmem), vmss: relative(ROOT, pair.vmss), truth: fixture.truth };
  },

  /**
   * A real MSVC PDB of the test data copied into this run's fixture folder (project-relative path), with its key and the
   * ISF memscope's CLI makes of it (`pdb-isf`), or { skip }.
   */
  async 'pdb-fixture'({ name }) {
    const skip = testData.testDataMissing(`fixtures/pdb/${name}`);
    if (skip && testData.dataRequired()) throw new Error(`${skip} (CI=true: test data is required)`);
    if (skip) {
      missingData.add(skip.slice(testData.MISSING_DATA.length).trim());
      return { skip };
    }
    const dir = await runFixtureDir();
    const path = join(dir, name);
    await copyFile(testData.testDataPath('fixtures', 'pdb', name), path);
    const { loadPdb, pdbIsfText } = await tsImport('../../src/symbols/pdb/pdb-table.ts', import.meta.url);
    const { symbolKey } = await tsImport('../../src/symbols/symbol-table.ts', import.meta.url);
    const { MEMSCOPE_VERSION } = await tsImport('../../src/version.ts', import.meta.url);
    const table = await loadPdb(new Uint8Array(await readFile(path)), name);
    return { path: relative(ROOT, path), key: symbolKey(table.identity), isf: pdbIsfText(table, MEMSCOPE_VERSION) };
  },

  /** The yara command's matches of `rules` in a project file ({ rule, component, offset, length }[]), or { skip }. */
  async 'yara-cli'({ path, rules }) {
    const yara = await tsImport('../helpers/yara-cli.ts', import.meta.url);
    const skip = yara.yaraCliMissing();
    if (skip && testData.dataRequired()) throw new Error(`${skip} (CI=true: the tools tests need are required)`);
    if (skip) return { skip };
    return { matches: yara.yaraCliMatches(rules, projectPath('yara-cli', path)) };
  },

  'file-sha256'({ path }) {
    return fileHash(projectPath('file-sha256', path), 'sha256');
  },

  'file-md5'({ path }) {
    return fileHash(projectPath('file-md5', path), 'md5');
  },

  /**
   * A LiME file of random bytes in this run's fixture folder (test/helpers/lime-writer.ts; `ranges`: { start, length },
   * holes between them); returns its project-relative path.
   */
  async 'lime-image'({ name, ranges }) {
    const { buildLime } = await tsImport('../helpers/lime-writer.ts', import.meta.url);
    const path = join(await runFixtureDir(), name.replace(/[^\w.-]/g, '_'));
    await writeFile(path, buildLime(ranges.map(({ start, length }) => ({ start, data: randomBytes(length) }))));
    return relative(ROOT, path);
  },

  /** The SHA-256 of the raw image memscope's command line exports from a project file (`image.export -o OUT`). */
  async 'cli-export-sha256'({ path }) {
    const out = join(await runFixtureDir(), `${basename(path)}.cli-export.raw`);
    const cli = ['--import', 'tsx', 'src/cli/main.ts', '-f', projectPath('cli-export-sha256', path), 'image.export', '-o', out, '--force'];
    await promisify(execFile)(process.execPath, cli, { cwd: ROOT });
    return fileHash(out, 'sha256');
  },

  /** The files memscope's command line writes (-o) for `plugin` with `args` on the image at `path`: each name and SHA-256. */
  async 'cli-output-files'({ path, plugin, args }) {
    const out = await mkdtemp(join(await runFixtureDir(), 'cli-output-'));
    const cli = [
      '--import',
      'tsx',
      'src/cli/main.ts',
      '-f',
      projectPath('cli-output-files', path),
      '--no-cache',
      '-o',
      out,
      '-r',
      'csv',
      plugin,
      ...args,
    ];
    await promisify(execFile)(process.execPath, cli, { cwd: ROOT });
    const names = (await readdir(out)).sort();
    return Promise.all(names.map(async (name) => ({ name, sha256: await fileHash(join(out, name), 'sha256') })));
  },

  /**
   * An AFF4 reference image of the test data copied into this run's fixture folder (project-relative path), with its
   * stream's SHA1 and the ranges of the map backed by the stream, in stream order (information.turtle, read by
   * test/helpers/aff4-reference.ts), or { skip }.
   */
  async 'aff4-reference'({ name }) {
    const skip = testData.testDataMissing(`fixtures/aff4/${name}`);
    if (skip && testData.dataRequired()) throw new Error(`${skip} (CI=true: test data is required)`);
    if (skip) {
      missingData.add(skip.slice(testData.MISSING_DATA.length).trim());
      return { skip };
    }
    const { reference } = await tsImport('../helpers/aff4-reference.ts', import.meta.url);
    const ref = reference(name);
    const path = join(await runFixtureDir(), name);
    await copyFile(ref.file, path);
    const stream = ref.entries.filter((e) => e.target === ref.streamUrn).sort((a, b) => a.targetOffset - b.targetOffset);
    return { path: relative(ROOT, path), sha1: ref.sha1, mapSize: ref.mapSize, ranges: stream.map((e) => ({ offset: e.mapped, length: e.length })) };
  },

  /** Every request for /off-origin/ the server has received since the last call, as "METHOD host/path". */
  'off-origin-requests'() {
    return offOrigin.splice(0);
  },

  /**
   * A raw image of `size` bytes of seeded noise (zeros without a seed) with `plants` ({ offset, text }: ASCII) written
   * over it, in this run's fixture folder; returns its project-relative path.
   */
  async 'planted-raw'({ name, size, seed, plants }) {
    const path = join(await runFixtureDir(), name.replace(/[^\w.-]/g, '_'));
    if (seed === undefined) {
      // Zeros: a sparse file of any size, only the plants written.
      const file = await open(path, 'w');
      try {
        await file.truncate(size);
        for (const { offset, text } of plants) await file.write(Buffer.from(text, 'latin1'), 0, text.length, offset);
      } finally {
        await file.close();
      }
      return relative(ROOT, path);
    }
    const bytes = new Uint8Array(size);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < size; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x;
      bytes[i + 1] = x >>> 8;
      bytes[i + 2] = x >>> 16;
      bytes[i + 3] = x >>> 24;
    }
    for (const { offset, text } of plants) bytes.set(Buffer.from(text, 'latin1'), offset);
    await writeFile(path, bytes);
    return relative(ROOT, path);
  },

  /**
   * A copy of the fuzzer's `format` input of `os` ("windows", "linux-a") in this run's fixture folder, with the
   * mutation of `run` of a campaign seeded `seed` (test/fuzz): { path, label, patches, symbols? } (paths project-relative)
   * or { skip }.
   */
  async 'mutated-copy'({ format, os, seed, run }) {
    const { writeMutatedCopy } = await tsImport('../fuzz/mutated-copy.ts', import.meta.url);
    const copy = await writeMutatedCopy(format, os, seed, run, await runFixtureDir());
    if (copy.skip && testData.dataRequired()) throw new Error(`${copy.skip} (CI=true: test data is required)`);
    if (copy.skip) return copy;
    return { ...copy, path: relative(ROOT, copy.path), symbols: copy.symbols && relative(ROOT, copy.symbols) };
  },

  /** Writes `text` to a file in this run's fixture folder; returns its project-relative path (for upload-file). */
  async 'fixture-text'({ name, text }) {
    const path = join(await runFixtureDir(), name.replace(/[^\w.-]/g, '_'));
    await writeFile(path, text);
    return relative(ROOT, path);
  },

  /**
   * Starts the Umbrella mock (once per run) and sets its answers: `known` names ({ name: { status, security,
   * content } }), or `status` (with `headers`) for every lookup (e.g. 401). Returns its URL.
   */
  async 'umbrella-mock'({ known = {}, status, headers = {} }) {
    const { startUmbrellaMock, categorization } = await tsImport('../helpers/umbrella-mock.ts', import.meta.url);
    Object.assign(umbrellaAnswer, { known, status, headers });
    umbrellaMock ??= await startUmbrellaMock(
      (request) =>
        umbrellaAnswer.status === undefined
          ? { body: categorization(JSON.parse(request.body), umbrellaAnswer.known) }
          : { status: umbrellaAnswer.status, headers: umbrellaAnswer.headers, body: { errorMessage: `HTTP ${umbrellaAnswer.status}` } },
      { cors: true },
    );
    return umbrellaMock.url;
  },

  /** The lookups the Umbrella mock received since the last call: { method, url, authorization, names }. */
  'umbrella-mock-requests'() {
    return (umbrellaMock?.requests.splice(0) ?? []).map((r) => ({
      method: r.method,
      url: r.url,
      authorization: r.headers.authorization ?? null,
      names: r.body,
    }));
  },

  /** `{ recording: true }` starts recording; `{ recording: false }` stops and returns [{ url, type }]. */
  'record-requests'({ recording }, page, sessionId) {
    const previous = recordings.get(sessionId);
    if (previous) {
      page.off('request', previous.listener);
      recordings.delete(sessionId);
    }
    if (!recording) return previous?.requests ?? [];
    const requests = [];
    const listener = (request) => requests.push({ url: request.url(), type: request.resourceType() });
    page.on('request', listener);
    recordings.set(sessionId, { requests, listener });
    return true;
  },

  /** Opens `path` (relative to the test page) in a new page of the same browser context. */
  async 'page-open'({ path, width = 1200, height = 1600 }, page, sessionId) {
    await extraPages.get(sessionId)?.close();
    const opened = await page.browserContext().newPage();
    extraPages.set(sessionId, opened);
    await opened.setViewport({ width, height });
    await opened.goto(new URL(path, page.url()).href, { waitUntil: 'load' });
    return true;
  },

  async 'page-close'(_, _page, sessionId) {
    const page = extraPages.get(sessionId);
    extraPages.delete(sessionId);
    await page?.close();
    return true;
  },

  async 'page-reload'(_, _page, sessionId) {
    await extraPage(sessionId).reload({ waitUntil: 'load' });
    return true;
  },

  /** Waits for the page's service worker; returns its scope and whether it controls the page. */
  'page-service-worker'(_, _page, sessionId) {
    return extraPage(sessionId).evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, controlled: navigator.serviceWorker.controller !== null };
    });
  },

  /** Every URL in the page's Cache Storage (the service worker's caches), as { cache, url }. */
  'page-cached-urls'(_, _page, sessionId) {
    return extraPage(sessionId).evaluate(async () => {
      const cached = [];
      for (const cache of await caches.keys())
        for (const request of await (await caches.open(cache)).keys()) cached.push({ cache, url: request.url });
      return cached;
    });
  },

  /**
   * Takes the page offline (puppeteer's offline mode, which covers its workers) and refuses /dist/ on the
   * server meanwhile. Going back online returns the /dist/ paths that were refused.
   */
  async 'page-offline'({ offline: on }, _page, sessionId) {
    await extraPage(sessionId).setOfflineMode(on);
    offline.on = on;
    const refused = offline.refused;
    offline.refused = [];
    return on ? true : refused;
  },

  async 'page-click'({ selector, timeout }, _page, sessionId) {
    const page = extraPage(sessionId);
    const element = await poll(async () => (await page.$(selector)) ?? undefined, selector, timeout);
    await element.click();
    return true;
  },

  /** Waits until `selector` matches an element whose text contains `includes`; returns that text. */
  'page-text'({ selector, includes = '', timeout }, _page, sessionId) {
    const page = extraPage(sessionId);
    return poll(
      async () => {
        const text = await page.$eval(selector, (e) => e.textContent ?? '');
        return text.includes(includes) ? text : undefined;
      },
      `${selector} with text "${includes}"`,
      timeout,
    );
  },

  /** The text of the [role=gridcell] elements of each element `selector` matches (grid rows), once `count` match. */
  'page-cells'({ selector, count, timeout }, _page, sessionId) {
    const page = extraPage(sessionId);
    return poll(
      async () => {
        const rows = await page.$$eval(selector, (all) =>
          all.map((row) => [...row.querySelectorAll('[role=gridcell]')].map((cell) => cell.textContent ?? '')),
        );
        return rows.length === count ? rows : undefined;
      },
      `${count} elements matching ${selector}`,
      timeout,
    );
  },
};

/** Koa middleware: notes what reaches /off-origin/ (see off-origin-requests), and answers it with nothing. */
async function offOriginLog(ctx, next) {
  if (!ctx.path.startsWith('/off-origin/')) return next();
  offOrigin.push(`${ctx.method} ${ctx.host}${ctx.url}`);
  ctx.status = 204;
}

/** Koa middleware: the server side of page-offline. */
async function offlineGate(ctx, next) {
  if (offline.on && ctx.path.startsWith('/dist/')) {
    offline.refused.push(ctx.path);
    ctx.respond = false;
    ctx.req.socket.destroy();
    return;
  }
  await next();
}

export default {
  rootDir: ROOT,
  files: 'test/browser/**/*.test.ts',
  nodeResolve: true,
  middleware: [offlineGate, offOriginLog],
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
  plugins: [
    // Read raw, without following `extends`: the base config is the one holding every option that shapes emitted code.
    // target 'auto' compiles TypeScript for the running Chromium and leaves .js alone: a named target would also
    // re-transform dist/'s bundles (adding inline source maps), and the plugin sandbox, started from a data: URL, would
    // then exceed Chromium's 2 MiB URL limit. The app is tested as it is built.
    esbuildPlugin({ ts: true, target: 'auto', tsconfig: resolve(ROOT, 'tsconfig.base.json') }),
    {
      name: 'memscope-server-commands',
      serverStart({ server }) {
        server.on('upgrade', (request) => {
          if (request.url.startsWith('/off-origin/')) offOrigin.push(`UPGRADE ${request.headers.host}${request.url}`);
        });
      },
      async serverStop() {
        if (fixtureDir) await rm(await fixtureDir, { recursive: true, force: true });
        await umbrellaMock?.close();
        if (missingData.size > 0)
          console.log(`\n${testData.MISSING_DATA} browser tests skipped (${[...missingData].join('; ')}): ${testData.PROVIDE_DATA}`);
      },
      async executeCommand({ command, payload, session }) {
        const run = serverCommands[command];
        if (!run) return undefined;
        return run(payload, session.browser.getPage(session.id), session.id);
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
  // The slowest file (e2e-large-result: a run of over 100k rows) takes about a minute on two cores.
  testsFinishTimeout: 180000,
};
