import { AppFrame, cellTexts, openGeneratedWindows, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { waitFor } from './dom.ts';

// The Windows system plugins in the built app on generated Windows 10 and 11 images, against the generator's truth: network
// endpoints (and a process's connections one click from its row; tcpip's own tables once its symbols are added),
// kernel modules with the unlinked driver, driver objects, unloaded drivers, drive letters, services, neighbours,
// big pool allocations, and the object scans' row counts.
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

const sorted = <T>(values: T[]): T[] => [...values].sort();
const na = (value: number | null): string => (value === null ? 'N/A' : String(value));
/** FILETIMEs as Volatility prints them: whole seconds, "+00:00". */
const volatilityTime = (iso: string): string => iso.replace(/(\.\d+)?Z$/, '+00:00');

// The default kernel (Windows 10 19041, its table in the repository) and Windows 11 22000 (from the test data).
for (const build of [undefined, 22000])
  describe(`end to end: Windows system plugins in the built app (${build === undefined ? 'Windows 10 19041' : `Windows 11 ${build}`})`, function () {
    this.timeout(60000);
    let fixture: WindowsFixture;
    let app: AppFrame;

    before(async function () {
      const generated = build === undefined ? await windowsFixture(SIZE, SEED) : await windowsFixture(SIZE, SEED, build);
      if ('skip' in generated) this.skip();
      fixture = generated as WindowsFixture;
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

    it('windows.netstat, once tcpip.pdb’s symbols are added, gives the endpoints of tcpip’s own tables', async () => {
      const { netstat } = fixture.expected;
      ok(netstat && fixture.tcpipSymbols, 'the generator wrote tcpip’s tables and symbols');
      await app.addPanelSymbols(fixture.tcpipSymbols);
      await waitFor(() => app.find('symbols-panel')?.shadowRoot?.textContent?.includes(netstat.tcpip.pdb.guid), 'tcpip.pdb’s symbols kept', 15000);
      const key = (proto: string, local: string, port: string | number, foreign: string, foreignPort: string | number, state: string, pid: string) =>
        `${proto} ${local}:${port} ${foreign}:${foreignPort} ${state} ${pid}`;
      deepEqual(
        sorted(
          (await app.records(await app.run('windows.netstat'))).map((r) =>
            key(r['Proto']!, r['LocalAddr']!, r['LocalPort']!, r['ForeignAddr']!, r['ForeignPort']!, r['State']!, r['PID']!),
          ),
        ),
        sorted(netstat.rows.map((e) => key(e.proto, e.localAddr, e.localPort, e.foreignAddr, e.foreignPort, e.state, na(e.pid)))),
      );
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

    it('windows.driverscan gives the driver objects, windows.unloadedmodules MmUnloadedDrivers’ entries in order', async () => {
      const { drivers, unloaded } = fixture.expected.kernelModules;
      const scanned = await app.records(await app.run('windows.driverscan'));
      deepEqual(
        sorted(scanned.map((r) => [r['Offset'], r['Start'], r['Size'], r['Service Key'], r['Driver Name'], r['Name']].join(' '))),
        sorted(drivers.map((d) => [d.offset, d.start, d.size, d.serviceKey, d.driverName, d.name].join(' '))),
      );
      deepEqual(
        (await app.records(await app.run('windows.unloadedmodules'))).map((r) => [r['Name'], r['StartAddress'], r['EndAddress'], r['Time']]),
        unloaded.map((u) => [u.name, u.startAddress, u.endAddress, volatilityTime(u.time)]),
      );
    });

    it('windows.bigpools lists the big page pool tracker’s in-use entries in table order', async () => {
      deepEqual(
        (await app.records(await app.run('windows.bigpools'))).map((r) => [
          r['Allocation'],
          r['Tag'],
          r['PoolType'],
          r['NumberOfBytes'],
          r['Status'],
        ]),
        fixture.expected.bigPools.filter((e) => e.status === 'Allocated').map((e) => [e.allocation, e.tag, e.poolType, e.numberOfBytes, e.status]),
      );
    });

    it('windows.mounts gives the drive letters and volumes, mapped network drives with their server share', async () => {
      const got = await app.records(await app.run('windows.mounts'));
      deepEqual(
        sorted(got.map((r) => `${r['Name']} → ${r['Target']}`)),
        sorted(fixture.expected.objects.mounts.map((m) => `${m.name} → ${m.target}`)),
      );
      ok(
        got.some((r) => r['Target']!.startsWith('\\Device\\LanmanRedirector\\')),
        'a mapped drive',
      );
    });

    it('windows.svcscan, windows.arp, filescan, mutantscan and symlinkscan give the generator’s rows', async () => {
      const services = await app.records(await app.run('windows.svcscan'));
      const service = (name: string, binary: string, dll: string) => `${name} ${binary} ${dll}`;
      deepEqual(
        sorted(services.map((r) => service(r['Name']!, r['Binary (Registry)']!, r['Dll']!))),
        sorted(fixture.expected.services!.rows.map((s) => service(s.name, s.binaryRegistry ?? 'N/A', s.dll ?? 'N/A'))),
      );
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
