import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, cellTexts } from './app-frame.ts';
import { deepEqual, ok } from './assert.ts';
import { DISCOVERY_DB, RESULTS_DB, deleteDatabase } from './idb.ts';

// The real Linux capture gzipped and zipped (stored) by the test server, picked in the built app: the engine worker
// decompresses the gzip file once into the origin private file system and reads the stored ZIP member in place; the
// scan workers find the kernel in that copy or slice, and linux.pslist lists the processes the guest listed.
interface PackedFixture {
  readonly skip?: string;
  readonly path: string;
  readonly truth: { readonly processes: readonly { pid: number; comm: string }[] };
}

const cases = [
  { packing: 'gz', fileName: 'linux-a.raw.gz', packaging: 'in gzip (decompressed to a temporary copy)', copied: true },
  { packing: 'zip', fileName: 'linux-a.zip', packaging: 'in ZIP member linux-a.raw (stored, read in place)', copied: false },
];

for (const { packing, fileName, packaging, copied } of cases) {
  describe(`end to end: the real Linux capture as ${fileName} in the built app`, function () {
    this.timeout(180000);
    let fixture: PackedFixture;
    let app: AppFrame;

    before(async function () {
      fixture = (await executeServerCommand('packed-linux-fixture', { packing })) as PackedFixture;
      if (fixture.skip) this.skip();
      await deleteDatabase(DISCOVERY_DB);
      await deleteDatabase(RESULTS_DB);
      app = await AppFrame.open();
    });

    after(() => app?.close());

    it('opens the capture inside, says how it was packed, and lists the processes the guest listed', async () => {
      await app.chooseImage(fixture.path);
      const summary = await app.summaryText(fileName, (t) => t.includes('BTF'), 120000);
      ok(summary.includes(packaging), `the summary says how the image was packed: ${summary}`);
      const notice = /decompressed 0\.25 GiB \(268435456 bytes\) to a temporary copy/.test(summary);
      ok(notice === copied, `${copied ? '' : 'not '}saying it was decompressed: ${summary}`);
      const grid = await app.run('linux.pslist', 60000);
      const columns = [...grid.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
      const rows = (await app.allRows(grid)).map(cellTexts).map((r) => r.map((c) => c.trim()));
      deepEqual(
        rows.map((r) => `${r[columns.indexOf('PID')]} ${r[columns.indexOf('COMM')]}`).sort(),
        fixture.truth.processes.map((p) => `${p.pid} ${p.comm}`).sort(),
      );
    });
  });
}
