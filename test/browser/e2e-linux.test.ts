import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, cellTexts, filterTable } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { pierce, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, deleteDatabase } from './idb.ts';

// The real Linux image picked in the built app, in each capture format: discovery (for the raw image by
// searching physical memory in the scan workers), kallsyms and BTF decoded in the engine worker, no symbol file
// anywhere. Every plugin's rows are checked against the truth the guest printed.
interface LinuxTruth {
  readonly kernel: { readonly release: string };
  readonly processes: readonly { pid: number; ppid: number; comm: string; kernel_thread: boolean; exe: string | null }[];
  readonly tcp: readonly { local_port: number }[];
  readonly udp: readonly { local_port: number }[];
  readonly arp: readonly { ip: string }[];
  readonly mounts: readonly { mountpoint: string }[];
  readonly modules: readonly { name: string }[];
}
interface LinuxFixture {
  readonly skip?: string;
  readonly path: string;
  readonly truth: LinuxTruth;
}

const LINUX_PLUGINS = [
  'linux.info',
  'linux.pslist',
  'linux.pstree',
  'linux.psaux',
  'linux.envars',
  'linux.sockstat',
  'linux.arp',
  'linux.mountinfo',
  'linux.lsmod',
  'linux.kmsg',
];
const byNumber = (a: number, b: number) => a - b;

function headers(grid: HTMLElement): string[] {
  return [...grid.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
}

/** One column of every row of a plugin's results. */
async function column(app: AppFrame, plugin: string, name: string): Promise<{ values: string[]; rows: string[][]; columns: string[] }> {
  const grid = await app.run(plugin, 60000);
  const columns = headers(grid);
  ok(columns.includes(name), `${name} in ${columns.join(', ')}`);
  const rows = (await app.allRows(grid)).map(cellTexts).map((r) => r.map((c) => c.trim()));
  return { values: rows.map((r) => r[columns.indexOf(name)]!), rows, columns };
}

for (const capture of ['linux-a.raw', 'linux-a.elf', 'linux-a.lime', 'linux-a.kdump']) {
  describe(`end to end: the real Linux image (${capture}) in the built app, without symbol files`, function () {
    this.timeout(120000);
    let fixture: LinuxFixture;
    let app: AppFrame;

    before(async function () {
      fixture = (await executeServerCommand('linux-fixture', { capture })) as LinuxFixture;
      if (fixture.skip) this.skip();
      await deleteDatabase(DISCOVERY_DB);
      await deleteDatabase(RESULTS_DB);
      app = await AppFrame.open();
    });

    after(() => app?.close());

    it('recognises the kernel and offers the Linux plugins only', async () => {
      await app.chooseImage(fixture.path);
      const summary = await app.summaryText(capture, (t) => t.includes('BTF'), 90000);
      ok(summary.includes(`Linux ${fixture.truth.kernel.release}`), `summary names the kernel: ${summary}`);
      equal(app.symbolRequest(), null, 'no symbol file is asked for');
      const plugins = [...(app.find('plugin-picker')?.shadowRoot?.querySelectorAll<HTMLElement>('button[data-plugin]') ?? [])].map(
        (b) => b.dataset['plugin']!,
      );
      for (const name of LINUX_PLUGINS) ok(plugins.includes(name), `${name} offered (${plugins.join(', ')})`);
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
      deepEqual([...pids].sort(byNumber), [...byPid.keys()].sort(byNumber));
      const path: number[] = [];
      pids.forEach((pid, i) => {
        path.length = levels[i]!;
        if (path.length > 0) equal(path.at(-1), byPid.get(pid)!.ppid, `PID ${pid} (${byPid.get(pid)!.comm}) sits under its parent`);
        path.push(pid);
      });
    });

    it('linux.pslist, sockstat, arp, mountinfo and lsmod list what the guest listed', async () => {
      const pslist = await column(app, 'linux.pslist', 'PID');
      deepEqual(
        pslist.rows.map((r) => `${r[pslist.columns.indexOf('PID')]} ${r[pslist.columns.indexOf('COMM')]}`).sort(),
        fixture.truth.processes.map((p) => `${p.pid} ${p.comm}`).sort(),
      );
      const sockets = await column(app, 'linux.sockstat', 'Source Port');
      const inet = sockets.rows.filter((r) => r[sockets.columns.indexOf('Family')]!.startsWith('AF_INET'));
      deepEqual(
        inet.map((r) => Number(r[sockets.columns.indexOf('Source Port')])).sort(byNumber),
        [...fixture.truth.tcp, ...fixture.truth.udp].map((s) => s.local_port).sort(byNumber),
      );
      const arp = await column(app, 'linux.arp', 'IP Address');
      const shown = arp.rows.filter((r) => r[arp.columns.indexOf('Family')] === 'IPv4' && r[arp.columns.indexOf('State')] !== 'NOARP');
      deepEqual(shown.map((r) => r[arp.columns.indexOf('IP Address')]).sort(), fixture.truth.arp.map((a) => a.ip).sort());
      // Every mount namespace is listed; init's comes first, as the guest's /proc/self/mountinfo showed it.
      const mounts = await column(app, 'linux.mountinfo', 'MOUNT_POINT');
      const ns = mounts.columns.indexOf('MNT_NS_ID');
      const initRows = mounts.rows.filter((r) => r[ns] === mounts.rows[0]![ns]);
      deepEqual(
        initRows.map((r) => r[mounts.columns.indexOf('MOUNT_POINT')]),
        fixture.truth.mounts.map((m) => m.mountpoint),
      );
      deepEqual(
        (await column(app, 'linux.lsmod', 'Name')).values,
        fixture.truth.modules.map((m) => m.name),
      );
    });

    if (capture === 'linux-a.lime') {
      it("says when the machine booted, and places linux.kmsg's lines on the timeline from it", async () => {
        const summary = await app.summaryText(capture, (t) => t.includes('BTF'), 90000);
        const booted = /Booted\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(summary)?.[1];
        ok(booted, `the summary says when the machine booted: ${summary}`);
        const kmsg = await column(app, 'linux.kmsg', 'line');
        const at = (name: string) => kmsg.columns.indexOf(name);
        const lines = new Set(kmsg.rows.map((r) => `${r[at('timestamp')]} ${r[at('line')]}`));
        ok(lines.size > 100, `${lines.size} kernel-log lines`);
        app.find('button[data-tab=timeline]')!.click();
        const timeline = await waitFor(() => app.find('timeline-view')?.shadowRoot?.querySelector<HTMLElement>('result-table'), 'the timeline');
        const columns = headers(timeline);
        const events = (await app.allRows(timeline)).map(cellTexts).filter((r) => r[columns.indexOf('Event')]!.trim() === 'kernel message');
        equal(events.length, lines.size, 'one event per kernel-log line');
        // The first line is logged at boot: its time is the boot time (to the second here).
        const first = kmsg.rows.find((r) => r[at('timestamp')]!.startsWith('0.'));
        ok(first, 'a line logged in the first second');
        ok(events[0]![columns.indexOf('Time')]!.replace('T', ' ').startsWith(booted), `${events[0]![columns.indexOf('Time')]} at boot (${booted})`);
      });
    }

    // One capture suffices: the hex view reads every format through the same engine call.
    if (capture === 'linux-a.elf') {
      it("linux.proc.Maps: a Start address opens the hex view in that process's own space, at its ELF header; PgOff is no address", async () => {
        const p = fixture.truth.processes.find((x) => !x.kernel_thread && x.exe?.endsWith(`/${x.comm}`))!;
        const grid = await app.run('linux.proc.Maps', 60000);
        const columns = headers(grid);
        await filterTable(grid, p.comm);
        // Mappings are in address order: the executable's first holds its ELF header.
        const row = (await app.allRows(grid)).find((r) => {
          const texts = cellTexts(r).map((t) => t.trim());
          return texts[columns.indexOf('PID')] === String(p.pid) && texts[columns.indexOf('File Path')] === p.exe;
        });
        ok(row, `a mapping of ${p.exe} by PID ${p.pid}`);
        const cells = row.querySelectorAll<HTMLElement>('[role=gridcell]');
        const [start, pgoff] = [cells[columns.indexOf('Start')]!, cells[columns.indexOf('PgOff')]!];
        ok(start.classList.contains('address') && !pgoff.classList.contains('address'), 'Start is shown as an address, PgOff is not');
        pgoff.click();
        await new Promise((r) => setTimeout(r, 200));
        ok(app.find('hex-view')!.hidden, 'a file offset opens nothing');

        start.click();
        const view = app.find('hex-view')!;
        const first = await waitFor(() => !view.hidden && view.shadowRoot!.querySelector('.row'), 'the hex view', 15000);
        equal(first.querySelector('.address')!.textContent!.trim(), start.textContent!.trim());
        equal(first.querySelector('.hex')!.textContent!.slice(0, 11), '7f 45 4c 46', 'the ELF magic');
        const space = pierce(view, 'select[name=space]') as HTMLSelectElement;
        equal(space.selectedOptions[0]!.textContent, `Process ${p.pid} (${p.comm})`);
      });
    }
  });
}
