import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, ok } from './assert.ts';
import { DISCOVERY_DB, RESULTS_DB, SYMBOL_DB, deleteDatabase } from './idb.ts';

// A generated Windows image gzipped, picked in the built app: the engine worker decompresses it into the origin private
// file system and reads that copy through a read-only sync access handle, each scan worker through one of its own.
// windows.psscan and yarascan (the workers' pool-tag and YARA chunks) give the rows they give on the image itself.
const SIZE = 256 * 1024 * 1024;
const SEED = 17;

interface Scans {
  readonly summary: string;
  readonly psscan: Record<string, string>[];
  readonly yarascan: Record<string, string>[];
}

/** A rule for the first few process names the generator wrote (their ASCII, as in the EPROCESS ImageFileName). */
function rules(fixture: WindowsFixture): string {
  const names = [...new Set(fixture.expected.processes.map((p) => p.name))].slice(0, 4);
  return `rule names { strings: ${names.map((n, i) => `$n${i} = "${n}"`).join(' ')} condition: any of them }`;
}

async function scans(fixture: WindowsFixture, image: string): Promise<Scans> {
  let app: AppFrame | undefined;
  try {
    for (const db of [SYMBOL_DB, DISCOVERY_DB, RESULTS_DB]) await deleteDatabase(db);
    app = await AppFrame.open();
    const fileName = image.split('/').pop()!;
    await app.chooseImage(image);
    await app.summaryText(fileName, (text) => text.includes('discovered from the image'), 120000);
    await app.addSymbols(fixture.symbols);
    const summary = await app.summaryText(fileName, (text) => !text.includes('discovered from the image'), 120000);
    const psscan = await app.records(await app.run('windows.psscan', 60000));
    const yarascan = await app.records(await app.run('yarascan.yarascan', 60000, { 'yara-rules': rules(fixture) }));
    return { summary, psscan, yarascan };
  } finally {
    app?.close();
  }
}

describe('end to end: a gzipped Windows image scanned from its OPFS copy in the built app', function () {
  this.timeout(240000);

  it('lists the processes psscan and the strings yarascan find in the image itself', async () => {
    const fixture = await windowsFixture(SIZE, SEED);
    const gz = (await executeServerCommand('gzipped-file', { path: fixture.image })) as string;
    const direct = await scans(fixture, fixture.image);
    const copied = await scans(fixture, gz);
    ok(/decompressed 0\.25 GiB \(268435456 bytes\) to a temporary copy/.test(copied.summary), `read from the copy: ${copied.summary}`);
    deepEqual(
      copied.psscan.map((r) => Number(r['PID'])).sort((a, b) => a - b),
      fixture.expected.processes.map((p) => p.pid).sort((a, b) => a - b),
      'psscan finds every process the generator wrote',
    );
    ok(copied.yarascan.length > 0, 'the process names are found');
    deepEqual(copied.psscan, direct.psscan, 'psscan rows');
    deepEqual(copied.yarascan, direct.yarascan, 'yarascan rows');
  });
});
