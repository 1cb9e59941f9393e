import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame } from './app-frame.ts';
import { deepEqual, ok } from './assert.ts';
import { DISCOVERY_DB, RESULTS_DB, deleteDatabase } from './idb.ts';

// A VMware suspended guest in the built app: the .vmem and its .vmss picked together open as one image (the real
// Linux capture, its BIOS ROM above the hole at the end of the .vmem: test/helpers/vmware-linux.ts), whose
// processes are the guest's; a .vmss alone says it needs its .vmem.
interface PairFixture {
  readonly skip?: string;
  readonly vmem: string;
  readonly vmss: string;
  readonly truth: { readonly kernel: { readonly release: string }; readonly processes: readonly { pid: number; comm: string }[] };
}

const DROP_INPUT = 'memscope-app >>>> drop-zone >>>> input[type=file]';

describe('end to end: a VMware .vmem and .vmss picked together', function () {
  this.timeout(180000);
  let fixture: PairFixture;
  let app: AppFrame;

  before(async function () {
    fixture = (await executeServerCommand('vmware-linux-pair')) as PairFixture;
    if (fixture.skip) this.skip();
    await deleteDatabase(DISCOVERY_DB);
    await deleteDatabase(RESULTS_DB);
    app = await AppFrame.open();
  });

  after(() => app?.close());

  it('open as one image: the VMware format, the Linux kernel, the guest’s processes', async () => {
    // The state file first: the page opens the .vmem whichever order they come in.
    await executeServerCommand('upload-file', { frame: app.name, selector: DROP_INPUT, paths: [fixture.vmss, fixture.vmem] });
    const summary = await app.summaryText('linux-a.vmem', (t) => t.includes('BTF'), 120000);
    ok(summary.includes('VMware'), `the summary names the format: ${summary}`);
    ok(summary.includes(`Linux ${fixture.truth.kernel.release}`), `the summary names the kernel: ${summary}`);
    ok(!summary.includes('misplaced'), 'no warning about a missing state file');
    const records = await app.records(await app.run('linux.pslist', 90000));
    const byPid = (a: readonly [number, string], b: readonly [number, string]) => a[0] - b[0];
    deepEqual(
      records.map((r) => [Number(r['PID']), r['COMM']!] as const).sort(byPid),
      fixture.truth.processes.map((p) => [p.pid, p.comm] as const).sort(byPid),
    );
  });

  it('a .vmss alone says it needs its .vmem', async () => {
    await executeServerCommand('upload-file', { frame: app.name, selector: DROP_INPUT, paths: [fixture.vmss] });
    const text = await app.failureText('needs its .vmem', 30000);
    ok(text.includes('linux-a.vmss'), text);
  });
});
