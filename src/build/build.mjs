// `npm run build` (after build:wasm): bundles the app, its workers and the CLI into dist/, copies the
// Wasm and public/, draws the icons, writes the sample image and generates the service worker.
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { generateSW } from 'workbox-build';
import { buildIdDefine, computeBuildId } from './build-id.mjs';
import { iconPng, iconSvg } from './icons.mjs';
import { DIST, ROOT } from './paths.mjs';
import { writeSample } from './sample.mjs';

const APP = join(DIST, 'app');
const SAMPLE_DIR = join(DIST, 'sample');
/** Files the service worker precaches are at most this large (YARA-X's Wasm is 5.7 MiB). */
const PRECACHE_FILE_LIMIT = 16 * 1024 * 1024;

const APP_ENTRIES = {
  main: 'src/ui/main.ts',
  'engine.worker': 'src/worker/engine.worker.ts',
  'scan.worker': 'src/worker/scan.worker.ts',
  'export.worker': 'src/worker/export.worker.ts',
  // Fetched by the page and started from a data: URL (src/worker/plugin-sandbox-client.ts).
  'plugin-sandbox.worker': 'src/worker/plugin-sandbox.worker.ts',
  // The Umbrella lookup frame's script (public/umbrella-frame.html; src/ui/umbrella-frame.ts).
  'umbrella-frame': 'src/ui/umbrella-frame.ts',
};
const CLI_ENTRY = 'src/cli/main.ts';
/** The CLI's scan-pool thread, cli/scan-pool.worker.mjs beside cli/memscope.mjs, where src/node/node-scan-pool.ts looks for it. */
const CLI_SCAN_WORKER = 'src/node/scan-pool.worker.ts';
/**
 * The disassembler windows.malfind loads on first use (src/plugins/common/disassemble.ts): in the page a bundle of
 * its own, app/disassembler.js, with capstone.wasm beside it (where the package looks for it), both precached.
 */
const DISASSEMBLER = { package: 'capstone-wasm', bundle: 'disassembler.js', wasm: 'capstone.wasm' };
/**
 * YARA-X, which yarascan loads on first use (src/plugins/common/yara.ts): in the page app/yara-x.js, with
 * yara_x_js_bg.wasm beside it (the module fetches it from there), both precached.
 */
const YARA = { package: '@virustotal/yara-x', bundle: 'yara-x.js', wasm: 'yara_x_js_bg.wasm' };
/** Packages the app imports lazily, each a bundle of its own with its Wasm beside it. */
const LAZY = [DISASSEMBLER, YARA];
const WASM = 'build/memscope.wasm';
/** Compiled into the bundles: lets the engine tell its own cached results from another build's. */
const define = buildIdDefine(await computeBuildId(ROOT));

await rm(DIST, { recursive: true, force: true });
await mkdir(APP, { recursive: true });

const sizes = [];
sizes.push(...(await bundleApp()));
for (const lazy of LAZY) sizes.push(...(await bundleLazy(lazy)));
sizes.push(...(await bundleCli()));
await copyWasm();
await cp(join(ROOT, 'public'), DIST, { recursive: true });
await writeIcons();
const sampleBytes = (await writeSample(SAMPLE_DIR)) ? (await stat(join(SAMPLE_DIR, 'sample.raw'))).size : undefined;
await writeServiceWorker(sampleBytes);

console.log('build: dist/ ready');
for (const [file, bytes] of sizes) console.log(`  ${file.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
if (sampleBytes !== undefined) console.log(`  ${'sample/sample.raw'.padEnd(28)} ${(sampleBytes / 1024).toFixed(1).padStart(8)} KiB`);

async function bundleApp() {
  const entryPoints = {};
  for (const [name, path] of Object.entries(APP_ENTRIES)) {
    if (existsSync(join(ROOT, path))) entryPoints[name] = join(ROOT, path);
    else console.warn(`build: skipping ${name} (${path} not found)`);
  }
  // Workers are entry points of their own: esbuild does not follow `new Worker(new URL(...))`.
  const result = await esbuild.build({
    entryPoints,
    outdir: APP,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    absWorkingDir: ROOT,
    define,
    logLevel: 'warning',
    plugins: [lazyImports()],
  });
  return outputSizes(result.metafile);
}

/** Leaves the import of each LAZY package a dynamic import of its own bundle (app/disassembler.js, ...) next to the importing one. */
function lazyImports() {
  return {
    name: 'lazy-imports',
    setup(build) {
      for (const lazy of LAZY) {
        const filter = new RegExp(`^${lazy.package.replace(/[./]/g, '\\$&')}$`);
        build.onResolve({ filter }, () => ({ path: `./${lazy.bundle}`, external: true }));
      }
    },
  };
}

function nodeModuleStub() {
  return {
    name: 'node-module-stub',
    setup(build) {
      build.onResolve({ filter: /^module$/ }, () => ({ path: 'module', namespace: 'node-module-stub' }));
      build.onLoad({ filter: /.*/, namespace: 'node-module-stub' }, () => ({
        contents: "export function createRequire() { throw new Error('node:module is not in the page'); }",
      }));
    },
  };
}

async function bundleLazy(lazy) {
  const entry = fileURLToPath(import.meta.resolve(lazy.package));
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: join(APP, lazy.bundle),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // Emscripten's Node branch (never taken in the page) imports node:module: a stub, so no bare import is left.
    plugins: [nodeModuleStub()],
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  await cp(join(dirname(entry), lazy.wasm), join(APP, lazy.wasm));
  return [...outputSizes(result.metafile), [`app/${lazy.wasm}`, (await stat(join(APP, lazy.wasm))).size]];
}

async function bundleCli() {
  if (!existsSync(join(ROOT, CLI_ENTRY))) {
    console.warn(`build: skipping the CLI (${CLI_ENTRY} not found)`);
    return [];
  }
  const outdir = join(DIST, 'cli');
  const result = await esbuild.build({
    entryPoints: { memscope: join(ROOT, CLI_ENTRY), 'scan-pool.worker': join(ROOT, CLI_SCAN_WORKER) },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The packages bundled too (Node resolves and compiles one file faster than dozens), except the lazy ones that
    // find their Wasm beside their own files; code behind a dynamic import (n3 for AFF4) is a chunk of its own,
    // loaded when used. The CommonJS packages bundled ask `require` for Node's built-in modules.
    external: LAZY.map((lazy) => lazy.package),
    splitting: true,
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __memscopeRequire } from 'node:module';\nconst require = __memscopeRequire(import.meta.url);" },
    metafile: true,
    absWorkingDir: ROOT,
    define,
    logLevel: 'warning',
  });
  await chmod(join(outdir, 'memscope.mjs'), 0o755);
  return outputSizes(result.metafile);
}

async function copyWasm() {
  if (!existsSync(join(ROOT, WASM))) {
    console.warn(`build: ${WASM} not found (run npm run build:wasm); the engine cannot start without it`);
    return;
  }
  // dist/memscope.wasm sits next to the CLI's folder, dist/app/memscope.wasm next to the workers.
  await cp(join(ROOT, WASM), join(DIST, 'memscope.wasm'));
  await cp(join(ROOT, WASM), join(APP, 'memscope.wasm'));
}

async function writeIcons() {
  await mkdir(join(DIST, 'icons'), { recursive: true });
  await writeFile(join(DIST, 'icons/icon.svg'), iconSvg());
  for (const size of [192, 512]) await writeFile(join(DIST, `icons/icon-${size}.png`), iconPng(size));
}

/**
 * The service worker: the app precached (what a first visit downloads), the sample image cached when first opened
 * (by its versioned URL, sample.json's; the one copy kept), so a first visit does not download it.
 */
async function writeServiceWorker(sampleBytes) {
  // URLs in the precache manifest are relative to sw.js, so the app works from any sub-path.
  const { count, size, warnings } = await generateSW({
    globDirectory: DIST,
    globPatterns: [
      'index.html',
      'umbrella-frame.html',
      'app.css',
      'manifest.webmanifest',
      'icons/*',
      'app/*.{js,wasm}',
      'sample/sample.json',
      'sample/symbols/**/*',
    ],
    swDest: join(DIST, 'sw.js'),
    navigateFallback: 'index.html',
    maximumFileSizeToCacheInBytes: PRECACHE_FILE_LIMIT,
    runtimeCaching: [
      {
        urlPattern: /\/sample\/sample\.raw\?v=/,
        handler: 'CacheFirst',
        options: { cacheName: 'memscope-sample', expiration: { maxEntries: 1 } },
      },
    ],
    inlineWorkboxRuntime: true,
    cleanupOutdatedCaches: true,
    sourcemap: false,
    mode: 'production',
  });
  for (const w of warnings) console.warn(`build: workbox: ${w}`);
  const sample = sampleBytes === undefined ? '' : `; the sample (${(sampleBytes / 1024 / 1024).toFixed(1)} MiB) is fetched and cached when first opened`;
  console.log(`build: first visit ${(size / 1024 / 1024).toFixed(1)} MiB (sw.js precaches ${count} files)${sample}`);
}

function outputSizes(metafile) {
  return Object.entries(metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, { bytes }]) => [relative(DIST, join(ROOT, file)), bytes]);
}
