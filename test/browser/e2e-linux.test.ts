import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, cellTexts, rowCount } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { DISCOVERY_DB, deleteDatabase } from './idb.ts';

// The real Linux image (raw capture, 256 MiB) picked in the built app: discovery by searching physical memory in
// the scan workers, kallsyms and BTF decoded in the engine worker, no symbol file anywhere. Checked against the
// truth the guest printed.
interface LinuxFixture {
  readonly skip?: string;
  readonly path: string;
  readonly truth: {
    readonly kernel: { readonly release: string };
    readonly processes: readonly { pid: number; ppid: number; comm: string }[];
    readonly tcp: readonly { local_port: number }[];
    readonly udp: readonly { local_port: number }[];
  };
}

function headers(grid: HTMLElement): string[] {
  return [...grid.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
}

describe('end to end: the real Linux image in the built app, without symbol files', function () {
  this.timeout(120000);
  let fixture: LinuxFixture;
  let app: AppFrame;

  before(async () => {
    fixture = (await executeServerCommand('linux-fixture', { capture: 'linux-a.raw' })) as LinuxFixture;
    if (fixture.skip) throw new Error(`the Linux fixture is not available: ${fixture.skip}`);
    await deleteDatabase(DISCOVERY_DB);
    app = await AppFrame.open();
  });

  after(() => app?.close());

  it('recognises the kernel and offers the Linux plugins only', async () => {
    await app.chooseImage(fixture.path);
    const summary = await app.summaryText('linux-a.raw', (t) => t.includes('BTF'), 90000);
    ok(summary.includes(`Linux ${fixture.truth.kernel.release}`), `summary names the kernel: ${summary}`);
    equal(app.symbolRequest(), null, 'no symbol file is asked for');
    const plugins = [...(app.find('plugin-picker')?.shadowRoot?.querySelectorAll<HTMLElement>('button[data-plugin]') ?? [])].map((b) => b.dataset['plugin']!);
    for (const name of ['linux.info', 'linux.pslist', 'linux.pstree', 'linux.psaux', 'linux.sockstat', 'linux.arp', 'linux.mountinfo', 'linux.lsmod', 'linux.kmsg']) {
      ok(plugins.includes(name), `${name} offered (${plugins.join(', ')})`);
    }
    ok(!plugins.some((p) => p.startsWith('windows.')), 'no Windows plugin offered');
  });

  it('linux.pstree shows every process of the guest under its parent', async () => {
    const tree = await app.run('linux.pstree', 60000);
    const rendered = await app.allRows(tree);
    const rows = rendered.map(cellTexts);
    const levels = rendered.map((r) => Number(r.getAttribute('aria-level')) - 1);
    const pidColumn = headers(tree).indexOf('PID');
    ok(pidColumn >= 0, `PID column in ${headers(tree).join(', ')}`);
    const byPid = new Map(fixture.truth.processes.map((p) => [p.pid, p]));
    const pids = rows.map((r) => Number(r[pidColumn]));
    deepEqual([...pids].sort((a, b) => a - b), [...byPid.keys()].sort((a, b) => a - b));
    const path: number[] = [];
    pids.forEach((pid, i) => {
      path.length = levels[i]!;
      if (path.length > 0) equal(path.at(-1), byPid.get(pid)!.ppid, `PID ${pid} (${byPid.get(pid)!.comm}) sits under its parent`);
      path.push(pid);
    });
  });

  it('linux.sockstat lists the guest’s TCP and UDP sockets', async () => {
    const table = await app.run('linux.sockstat', 60000);
    const rows = (await app.allRows(table)).map(cellTexts);
    const columns = headers(table);
    const inet = rows.filter((r) => r[columns.indexOf('Family')]!.startsWith('AF_INET'));
    deepEqual(
      inet.map((r) => Number(r[columns.indexOf('Source Port')])).sort((a, b) => a - b),
      [...fixture.truth.tcp, ...fixture.truth.udp].map((s) => s.local_port).sort((a, b) => a - b),
    );
    ok(rowCount(table).total >= inet.length, 'row count');
  });
});
