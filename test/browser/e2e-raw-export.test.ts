import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame } from './app-frame.ts';
import { equal, match, ok } from './assert.ts';
import { captureDownload, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, deleteDatabase } from './idb.ts';

// "Export as raw image…" in the built app: a LiME file (ranges with a hole between them, written by the test server's
// LiME writer) and an AFF4 reference image exported from the engine worker, through the save dialog where the browser
// has one (here a stand-in: headless Chromium's cannot be clicked) or into the origin private file system and then
// the browser's downloads; the bytes equal what memscope's command line exports from the same file, or what the AFF4
// volume states of its stream.

const MiB = 1024 * 1024;

type AppWindow = Window & typeof globalThis & { showSaveFilePicker?: (options: { suggestedName: string }) => Promise<FileSystemFileHandle> };

async function sha(algorithm: 'SHA-256' | 'SHA-1', data: Blob | Uint8Array<ArrayBuffer>): Promise<string> {
  // A Blob may come from the app's frame (another realm): told apart by what it is not.
  const bytes = data instanceof Uint8Array ? data : await data.arrayBuffer();
  return [...new Uint8Array(await crypto.subtle.digest(algorithm, bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A file of this origin's private file system standing in for the one a user would pick in the save dialog. */
async function pickedFile(name: string): Promise<FileSystemFileHandle> {
  const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('raw-export-test', { create: true });
  await folder.removeEntry(name).catch(() => undefined);
  return folder.getFileHandle(name, { create: true });
}

describe('end to end: an opened image exported as a raw image in the built app', function () {
  this.timeout(180000);
  let app: AppFrame;
  let view: AppWindow;

  before(async () => {
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
  });

  beforeEach(async () => {
    app = await AppFrame.open();
    view = app.element.contentWindow as AppWindow;
  });

  afterEach(() => app?.close());

  const summary = () => app.find('image-summary')!;
  const inSummary = (selector: string) => app.find('image-summary', selector) as HTMLElement | null;
  const result = (includes: string, timeoutMs = 60000) =>
    waitFor(
      () => (inSummary('.export-result')?.textContent?.includes(includes) ? inSummary('.export-result')!.textContent! : undefined),
      `export: ${includes}`,
      timeoutMs,
    );

  it('without a save dialog: writes the raw image into OPFS and downloads it; its bytes are the command line’s export', async () => {
    const path = (await executeServerCommand('lime-image', {
      name: 'two-ranges.lime',
      ranges: [
        { start: 0, length: 1 * MiB },
        { start: 3 * MiB, length: 2 * MiB },
      ],
    })) as string;
    view.showSaveFilePicker = undefined;
    await app.chooseImage(path);
    await app.summaryText('two-ranges.lime');
    const button = await waitFor(() => inSummary('button.export-raw'), 'Export as raw image…');
    equal(button.textContent?.trim(), 'Export as raw image…');
    const saved = await captureDownload(() => button.click(), view);
    equal(saved.name, 'two-ranges.raw');
    equal(saved.blob.size, 5 * MiB, 'the raw image reaches the highest address');
    equal(await sha('SHA-256', saved.blob), await executeServerCommand('cli-export-sha256', { path }), 'SHA-256 of the CLI’s image.export');
    const text = await result('Exported');
    match(text, /Exported two-ranges\.raw: 5\.0 MiB .*\(3\.0 MiB captured, 2\.0 MiB of holes as zeros\)/);
    match(text, /MB\/s\..*browser's downloads/);
  });

  it('with a save dialog: streams into the chosen file, with progress; Cancel leaves it unwritten', async () => {
    const path = (await executeServerCommand('lime-image', { name: 'big.lime', ranges: [{ start: 0, length: 96 * MiB }] })) as string;
    const chosen = await pickedFile('big.raw');
    let suggested = '';
    let pick!: (handle: FileSystemFileHandle) => void;
    view.showSaveFilePicker = (options) => {
      suggested = options.suggestedName;
      return new Promise((resolve) => (pick = resolve));
    };
    await app.chooseImage(path);
    await app.summaryText('big.lime');
    (await waitFor(() => inSummary('button.export-raw'), 'Export as raw image…')).click();
    await waitFor(() => pick, 'the save dialog');
    equal(suggested, 'big.raw');
    pick(chosen);
    (await waitFor(() => inSummary('button.cancel-export'), 'Cancel')).click();
    await result('Export cancelled');
    equal((await chosen.getFile()).size, 0, 'nothing was written');

    // Again, to the end: the progress line names the file and a rate, the file holds the CLI's export.
    view.showSaveFilePicker = async () => chosen;
    inSummary('button.export-raw')!.click();
    const progress = await waitFor(() => inSummary('.exporting [role=status]')?.textContent, 'progress');
    match(progress, /Writing big\.raw… \d+ % of 96\.0 MiB/);
    await result('Exported', 120000);
    const written = await chosen.getFile();
    equal(written.size, 96 * MiB);
    equal(await sha('SHA-256', written), await executeServerCommand('cli-export-sha256', { path }));
    ok(!summary().shadowRoot!.textContent!.includes("browser's downloads"), 'no download when the file was chosen');
  });

  it('an AFF4 reference image: the exported stream ranges hash to the SHA1 its information.turtle states', async function () {
    const ref = (await executeServerCommand('aff4-reference', { name: 'Base-Linear.aff4' })) as {
      skip?: string;
      path: string;
      sha1: string;
      mapSize: number;
      ranges: { offset: number; length: number }[];
    };
    if (ref.skip) this.skip();
    const chosen = await pickedFile('Base-Linear.raw');
    view.showSaveFilePicker = async () => chosen;
    await app.chooseImage(ref.path);
    await app.summaryText('Base-Linear.aff4', () => true, 60000);
    (await waitFor(() => inSummary('button.export-raw'), 'Export as raw image…')).click();
    await result('Exported', 150000);
    const file = await chosen.getFile();
    equal(file.size, ref.mapSize);
    const stream = await new Blob(ref.ranges.map((r) => file.slice(r.offset, r.offset + r.length))).arrayBuffer();
    equal(await sha('SHA-1', new Uint8Array(stream)), ref.sha1);
  });

  it('a raw file as it is: no export offered, and says why', async () => {
    const path = (await executeServerCommand('planted-raw', { name: 'plain.raw', size: 1 * MiB, seed: 7, plants: [] })) as string;
    await app.chooseImage(path);
    // After the AFF4 export above the engine may still be hashing that file: on a loaded machine opening waits longer.
    await app.summaryText('plain.raw', () => true, 60000);
    ok(!inSummary('button.export-raw'), 'no export button');
    match(inSummary('.raw-already')!.textContent!, /raw image already/);
  });
});
