import { AppFrame, cellTexts, rowCount, windowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { DISCOVERY_DB, RESULTS_DB, SYMBOL_DB, deleteDatabase } from './idb.ts';
import { waitFor } from './dom.ts';

// Cancelling scans in the built app on a generated image big enough for a scan to take a moment: Cancel keeps the
// rows that had streamed in, and neither cancelling (at once, mid-stream, again and again) nor opening another image
// while a scan runs raises an error in the page (its workers' uncaught errors are reported there too).
const SIZE = 512 * 1024 * 1024;
const SEED = 12;
const FILE_NAME = `win-512MiB-seed${SEED}.raw`;
const OTHER_SIZE = 32 * 1024 * 1024;

const CANCELLED = 'cancelled — partial results';

/** Errors the app's window reports: uncaught ones (the page's and its workers') and unhandled rejections. */
function recordErrors(app: AppFrame): string[] {
  const errors: string[] = [];
  const win = app.element.contentWindow!;
  win.addEventListener('error', (e) => {
    // Chromium's harmless report of a virtualizer re-measuring within a frame (see web-test-runner.config.mjs).
    if (!/^ResizeObserver loop/.test(e.message)) errors.push(`uncaught: ${e.message}`);
  });
  win.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)}`));
  return errors;
}

function resultState(app: AppFrame): string {
  return app.find('.result-state')?.textContent ?? '';
}

/** How many rows the running plugin's table holds, once it holds some while the run goes on. */
function rowsWhileRunning(app: AppFrame, plugin: string): Promise<number> {
  return waitFor(
    () => {
      const table = app.find('result-table');
      if (app.find('.result-head h2')?.textContent !== plugin || resultState(app) !== 'running…' || !table) return undefined;
      const count = table.shadowRoot?.querySelector('.count') ? rowCount(table).total : 0;
      return count > 0 ? count : undefined;
    },
    `${plugin}'s first rows while it runs`,
    20000,
  );
}

function pressCancel(app: AppFrame): void {
  const button = app.find('job-progress', 'button');
  ok(button, 'the running job offers Cancel');
  button.click();
}

/** The table of a run that ended cancelled (and no job left running). */
async function cancelledTable(app: AppFrame, plugin: string): Promise<HTMLElement> {
  await waitFor(() => app.find('.result-head h2')?.textContent === plugin && resultState(app) === CANCELLED, `${plugin} cancelled`, 10000).catch(
    (e: Error) => {
      throw new Error(`${e.message}: "${resultState(app)}"`);
    },
  );
  equal(app.find('job-progress'), null, 'no job left running');
  return app.find('result-table')!;
}

describe('end to end: Cancel, and opening another image while a scan runs', function () {
  this.timeout(60000);
  let app: AppFrame;
  let errors: string[];
  /** The rows psscan had found when it was cancelled, as cell texts, in the order shown. */
  let partial: string[][] = [];

  before(async () => {
    const fixture = await windowsFixture(SIZE, SEED);
    await deleteDatabase(SYMBOL_DB);
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
    app = await AppFrame.open();
    errors = recordErrors(app);
    await app.chooseImage(fixture.image);
    await app.summaryText(FILE_NAME, (text) => text.includes('discovered from the image'), 30000);
    // With the kernel's own table psscan reads ExitTime directly: its rows need not wait for the whole scan.
    await app.addSymbols(fixture.symbols);
    await app.summaryText(FILE_NAME, (text) => !text.includes('discovered from the image'), 30000);
  });

  after(() => app?.close());

  afterEach(() => deepEqual(errors.splice(0), [], 'no uncaught error in the app'));

  it('Cancel mid-stream keeps the rows found so far', async () => {
    await app.startRun('windows.psscan');
    const seen = await rowsWhileRunning(app, 'windows.psscan');
    pressCancel(app);
    partial = (await app.allRows(await cancelledTable(app, 'windows.psscan'))).map(cellTexts);
    ok(partial.length >= seen, `the ${seen} rows shown before Cancel stay (${partial.length} kept)`);
  });

  it('Cancel at once, and again and again, on psscan and thrdscan', async () => {
    for (const plugin of ['windows.psscan', 'windows.thrdscan', 'windows.psscan']) {
      await app.startRun(plugin);
      await waitFor(() => app.find('job-progress', 'button'), `${plugin} running`);
      pressCancel(app);
      await cancelledTable(app, plugin);
    }
    await app.startRun('windows.thrdscan');
    const seen = await rowsWhileRunning(app, 'windows.thrdscan');
    pressCancel(app);
    ok(rowCount(await cancelledTable(app, 'windows.thrdscan')).total >= seen, `thrdscan keeps its ${seen} rows`);
  });

  it('a whole run after those cancels: every row, those of the cancelled run first and in the same order', async () => {
    const full = (await app.allRows(await app.run('windows.psscan', 30000))).map(cellTexts);
    ok(partial.length < full.length, `the cancelled run stopped early (${partial.length} of ${full.length} rows)`);
    deepEqual(partial, full.slice(0, partial.length));
  });

  it('opening another image while a scan runs ends the scan and shows the new image with its process tree', async () => {
    const other = await windowsFixture(OTHER_SIZE, SEED);
    // psscan ran whole above, so its pool-tag pass now answers at once: a YARA scan reads the image again.
    await app.startRun('yarascan.yarascan', { 'yara-string': 'MZ' });
    await rowsWhileRunning(app, 'yarascan.yarascan');
    await app.chooseImage(other.image);
    await app.summaryText(other.image.split('/').pop()!, () => true, 30000);
    const tree = await waitFor(
      () => app.find('.result-head h2')?.textContent === 'windows.pstree' && resultState(app).includes('rows in') && app.find('process-tree'),
      "the new image's process tree",
      20000,
    );
    equal(rowCount(tree).total, other.expected.processes.filter((p) => p.linked).length);
  });
});
