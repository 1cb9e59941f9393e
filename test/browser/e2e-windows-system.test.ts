import { AppFrame, cellTexts, openGeneratedWindows, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { waitFor } from './dom.ts';

// The Windows system plugins in the built app on a generated image, against the generator's truth: network
// endpoints (and a process's connections one click from its row), kernel modules with the unlinked driver, drive
// letters, services, neighbours, and the object scans' row counts.
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

const sorted = <T>(values: T[]): T[] => [...values].sort();
const na = (value: number | null): string => (value === null ? 'N/A' : String(value));

describe('end to end: Windows system plugins in the built app', function () {
  this.timeout(60000);
  let fixture: WindowsFixture;
  let app: AppFrame;

  before(async () => {
    fixture = await windowsFixture(SIZE, SEED);
    app = await openGeneratedWindows(fixture);
  });

  after(() => app?.close());

  it('windows.netscan gives every endpoint; a process’s connections are in its process view', async () => {
    const table = await app.run('windows.netscan');
    const expected = fixture.expected.network.rows;
    const key = (proto: string, local: string, port: string | number, pid: string) => `${proto} ${local}:${port} ${pid}`;
    deepEqual(
      sorted((await app.records(table)).map((r) => key(r['Proto']!, r['LocalAddr']!, r['LocalPort']!, r['PID']!))),
      sorted(expected.map((e) => key(e.proto, e.localAddr, e.localPort, na(e.pid)))),
    );

    const owner = expected.find((e) => e.pid !== null && e.owner)!;
    const row = (await app.allRows(table)).find((r) => cellTexts(r)[7]?.trim() === String(owner.pid))!;
    (row.querySelector('[role=gridcell]') as HTMLElement).click();
    (await waitFor(() => table.shadowRoot!.querySelector<HTMLElement>('.row-details button.open-process'), 'Process view button')).click();
    const view = await waitFor(() => app.find('process-view'), 'the process view');
    const network = await waitFor(
      () => view.shadowRoot!.querySelector<HTMLDetailsElement>('details[data-plugin="windows.netscan"]'),
      'its Network section',
    );
    network.open = true;
    const section = await waitFor(() => network.querySelector<HTMLElement>('result-table'), 'the section’s table', 20000);
    await waitFor(() => rowCount(section).total > 0, 'its rows', 20000);
    equal(rowCount(section).total, expected.filter((e) => e.pid === owner.pid).length, `PID ${owner.pid}'s endpoints`);
    app.find('button[data-tab=results]')!.click();
  });

  it('windows.modules lists the loaded modules in order; windows.modscan also finds the unlinked driver', async () => {
    const { modules } = fixture.expected.kernelModules;
    const listed = await app.records(await app.run('windows.modules'));
    deepEqual(
      listed.map((r) => [r['Base'], r['Name']]),
      modules.filter((m) => m.linked).map((m) => [m.base, m.name]),
    );
    const scanned = await app.records(await app.run('windows.modscan'));
    deepEqual(sorted(scanned.map((r) => r['Name']!)), sorted(modules.map((m) => m.name)));
    ok(
      modules.some((m) => !m.linked),
      'the image has an unlinked driver',
    );
  });

  it('windows.mounts gives the drive letters and volumes, mapped network drives with their server share', async () => {
    const got = await app.records(await app.run('windows.mounts'));
    deepEqual(sorted(got.map((r) => `${r['Name']} → ${r['Target']}`)), sorted(fixture.expected.objects.mounts.map((m) => `${m.name} → ${m.target}`)));
    ok(
      got.some((r) => r['Target']!.startsWith('\\Device\\LanmanRedirector\\')),
      'a mapped drive',
    );
  });

  it('windows.svcscan, windows.arp, filescan, mutantscan and symlinkscan give the generator’s rows', async () => {
    const services = await app.records(await app.run('windows.svcscan'));
    deepEqual(sorted(services.map((r) => r['Name']!)), sorted(fixture.expected.services!.rows.map((s) => s.name)));
    const neighbours = await app.records(await app.run('windows.arp'));
    deepEqual(
      sorted(neighbours.map((r) => `${r['IP Address']} ${r['MAC Address']}`)),
      sorted(fixture.expected.neighbours.rows.map((n) => `${n.ip} ${n.mac}`)),
    );
    const { files, mutants, symlinks } = fixture.expected.objects;
    equal(rowCount(await app.run('windows.filescan')).total, files.length);
    equal(rowCount(await app.run('windows.mutantscan')).total, mutants.length);
    const links = await app.records(await app.run('windows.symlinkscan'));
    deepEqual(sorted(links.map((r) => `${r['From Name']} → ${r['To Name']}`)), sorted(symlinks.map((l) => `${l.from} → ${l.to}`)));
  });
});
