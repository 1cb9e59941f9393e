import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { captureDownload, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, deleteDatabase } from './idb.ts';

// The files plugins write, in the built app: the engine worker keeps them in the origin private file system and the
// run's result offers each as a download. linux.pagecache.InodePages --dump of init's executable on the real Linux
// capture: the File Output column names the file, the Files list offers it, its bytes are what the command line writes.
interface LinuxFixture {
  readonly skip?: string;
  readonly path: string;
  readonly truth: { readonly processes: readonly { pid: number; exe: string | null }[] };
}

const PLUGIN = 'linux.pagecache.InodePages';

async function sha256(blob: Blob): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('end to end: the files a plugin writes, offered as downloads in the built app', function () {
  this.timeout(180000);
  let fixture: LinuxFixture;
  let app: AppFrame;

  before(async function () {
    fixture = (await executeServerCommand('linux-fixture', { capture: 'linux-a.raw' })) as LinuxFixture;
    if (fixture.skip) this.skip();
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
    app = await AppFrame.open();
  });

  after(() => app?.close());

  it('linux.pagecache.InodePages --dump: the Output File, the Files list and the download hold what the CLI writes', async () => {
    const exe = fixture.truth.processes.find((p) => p.pid === 1)?.exe;
    ok(exe, 'the guest names init’s executable');
    await app.chooseImage(fixture.path);
    await app.summaryText('linux-a.raw', (t) => t.includes('BTF'), 90000);

    (await waitFor(() => app.find('plugin-picker', `button[data-plugin="${PLUGIN}"]`), `${PLUGIN} in the plugin list`)).click();
    const find = await waitFor(() => app.find('plugin-picker', '[name="find"]') as HTMLInputElement | null, 'option find');
    find.value = exe!;
    find.dispatchEvent(new Event('input'));
    (await waitFor(() => app.find('plugin-picker', '[name="dump"]') as HTMLInputElement | null, 'option dump')).click();
    const submit = await waitFor(() => {
      const button = app.find('plugin-picker', 'button[type=submit]') as HTMLButtonElement | null;
      return button?.textContent?.includes(PLUGIN) && !button.disabled ? button : undefined;
    }, `Run ${PLUGIN}`);
    submit.click();
    await waitFor(
      () => app.find('.result-head h2')?.textContent === PLUGIN && app.find('.result-state')?.textContent?.includes('rows in'),
      `${PLUGIN} to finish`,
      90000,
    );

    const records = await app.records(await waitFor(() => app.find('result-table'), 'the result table'));
    ok(records.length > 0, 'init’s executable has cached pages');
    const names = new Set(records.map((r) => r['Output File']));
    equal(names.size, 1, `one file named in every row: ${[...names].join(', ')}`);
    const [name] = names;
    ok(/^inode_0x[0-9a-f]+\.dmp$/.test(name!), `Output File: ${name}`);

    const expected = (await executeServerCommand('cli-output-files', {
      path: fixture.path,
      plugin: PLUGIN,
      args: ['--find', exe, '--dump'],
    })) as { name: string; sha256: string }[];
    deepEqual(
      expected.map((f) => f.name),
      [name],
      'the CLI writes the same file',
    );

    const buttons = [...(app.find('output-files')?.shadowRoot?.querySelectorAll<HTMLButtonElement>('button.download') ?? [])];
    deepEqual(
      buttons.map((b) => b.textContent?.trim()),
      [name],
      'the Files list offers it',
    );
    const saved = await captureDownload(() => buttons[0]!.click(), app.element.contentWindow as Window & typeof globalThis);
    equal(saved.name, name);
    equal(await sha256(saved.blob), expected[0]!.sha256, 'the downloaded bytes are the CLI’s');
  });
});
