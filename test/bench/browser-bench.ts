import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from '@web/dev-server';
import puppeteer, { type ElementHandle, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { BENCH_RULES } from './yara-bench.ts';

const DIST = new URL('../../dist/', import.meta.url).pathname;

export interface BrowserBench {
  readonly blobReadBytesPerSecond: number;
  readonly psscanBytesPerSecond: number;
  readonly yarascanBytesPerSecond: number;
  readonly pslistSeconds: number;
  readonly workers: number;
}

/** Finds an element through nested shadow roots: each selector is looked up in the previous match's shadow root. */
async function pierce(page: Page, ...steps: string[]): Promise<ElementHandle<Element>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const handle = await page.evaluateHandle((path: string[]) => {
      let node: Element | Document | null = document;
      for (const [i, step] of path.entries()) {
        const scope: ParentNode | null | undefined = i === 0 ? (node as Document) : (node as Element).shadowRoot;
        node = scope?.querySelector(step) ?? null;
        if (!node) return null;
      }
      return node;
    }, steps);
    const el = handle.asElement() as ElementHandle<Element> | null;
    if (el) return el;
    if (Date.now() > deadline) throw new Error(`bench: ${steps.join(' >>> ')} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Time until the app's result line says the run finished ("N rows in ..."), measured in the page; `values` fill option fields. */
async function runPlugin(page: Page, name: string, values: Readonly<Record<string, string>> = {}): Promise<number> {
  await (await pierce(page, 'memscope-app', 'plugin-picker', `button[data-plugin="${name}"]`)).click();
  for (const [field, value] of Object.entries(values))
    await (
      await pierce(page, 'memscope-app', 'plugin-picker', `[name="${field}"]`)
    ).evaluate((el, text) => {
      (el as HTMLTextAreaElement).value = text;
      el.dispatchEvent(new Event('input'));
    }, value);
  const submit = await pierce(page, 'memscope-app', 'plugin-picker', 'button[type=submit]');
  const finished = (done: boolean) =>
    done === /rows in/.test(document.querySelector('memscope-app')?.shadowRoot?.querySelector('.result-state')?.textContent ?? '');
  const t0 = Date.now();
  await submit.click();
  // The previous run's result line stays until this run starts; a run shorter than the polling gap may be missed.
  await page.waitForFunction(finished, { polling: 2, timeout: 2000 }, false).catch(() => undefined);
  await page.waitForFunction(finished, { polling: 5, timeout: 600_000 }, true);
  return (Date.now() - t0) / 1000;
}

/**
 * In Debian Chromium: Blob.slice read bandwidth of the image (main thread, 16 MiB slices) and the app's own
 * pslist, psscan and yarascan (the Node bench's rules) on it (engine worker + scan-worker pool), the file given through <input type=file>
 * as a user's would be. Returns null (with a note) when Chromium or the build is missing.
 */
export async function browserBench(imagePath: string, symbolDir: string): Promise<BrowserBench | null> {
  const chromium = findChromium();
  if (!chromium || !existsSync(join(DIST, 'index.html'))) {
    console.log(`(Chromium figures skipped: ${chromium ? 'run npm run build first' : NO_CHROMIUM})`);
    return null;
  }
  const port = 18000 + Math.floor(Math.random() * 1000);
  const server = await startDevServer({
    config: { rootDir: DIST, port, hostname: 'localhost', nodeResolve: false, watch: false },
    readCliArgs: false,
    readFileConfig: false,
    logStartMessage: false,
  });
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(`http://localhost:${port}/index.html`);
    const size = statSync(imagePath).size;

    // Raw File read: a bench-only input outside the app.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      document.body.append(input);
    });
    await ((await page.$('#bench-file')) as ElementHandle<HTMLInputElement>).uploadFile(imagePath);
    const readSeconds = await page.evaluate(async () => {
      const file = (document.getElementById('bench-file') as HTMLInputElement).files![0]!;
      const t0 = performance.now();
      for (let at = 0; at < file.size; at += 16 << 20) await file.slice(at, at + (16 << 20)).arrayBuffer();
      return (performance.now() - t0) / 1000;
    });

    // The app: open, add symbols when asked, then pslist and psscan.
    const drop = (await pierce(page, 'memscope-app', 'drop-zone', 'input[type=file]')) as ElementHandle<HTMLInputElement>;
    await drop.uploadFile(imagePath);
    const symbolInput = (await pierce(page, 'memscope-app', 'symbol-request', 'drop-zone', 'input[type=file]')) as ElementHandle<HTMLInputElement>;
    await symbolInput.uploadFile(join(symbolDir, 'windows/ntkrnlmp.pdb', '606FF669409B00F7FC8C61A9C1670129-1.json.xz'));
    // Adding symbols reopens the image; wait until the request is gone and the plugins are back.
    await page.waitForFunction(
      () => {
        const root = document.querySelector('memscope-app')?.shadowRoot;
        return !root?.querySelector('symbol-request') && root?.querySelector('plugin-picker')?.shadowRoot?.querySelector('button[data-plugin]');
      },
      { polling: 20, timeout: 120_000 },
    );
    const pslistSeconds = await runPlugin(page, 'windows.pslist');
    const psscanSeconds = await runPlugin(page, 'windows.psscan');
    const yarascanSeconds = await runPlugin(page, 'yarascan.yarascan', { 'yara-rules': BENCH_RULES });
    const workers = await page.evaluate(() => Math.max(1, Math.min(4, navigator.hardwareConcurrency)));
    return {
      blobReadBytesPerSecond: size / readSeconds,
      psscanBytesPerSecond: size / psscanSeconds,
      yarascanBytesPerSecond: size / yarascanSeconds,
      pslistSeconds,
      workers,
    };
  } catch (e) {
    const shot = join(symbolDir, '..', 'browser-bench-failure.png');
    await (await browser.pages()).at(-1)?.screenshot({ path: shot as `${string}.png`, fullPage: true });
    throw new Error(`${(e as Error).message} (screenshot: ${shot})`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
