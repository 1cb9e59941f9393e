/**
 * The registry browser's reading of printkey's rows and warnings: one key's subkeys and values, the key missing,
 * subkeys whose cells are not in memory (only those said about the key itself, not about the keys on its path), the
 * persistence shortcuts of the hives listed, and search hits' paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnsFor } from '../../src/plugins/plugin-definition.ts';
import { printkey } from '../../src/plugins/windows/printkey.ts';
import type { CountedWarning, PluginRow } from '../../src/plugins/plugin.ts';
import { keyHit, keyListing, printkeyOptions, servicesPath, shortcuts, type Hive } from '../../src/ui/registry-model.ts';

const columns = columnsFor(printkey, {});
const software: Hive = { offset: '0xffff9a0c40080000', name: '\\SystemRoot\\System32\\Config\\SOFTWARE' };
const system: Hive = { offset: '0xffff9a0c40079000', name: '\\REGISTRY\\MACHINE\\SYSTEM' };
const user: Hive = { offset: '0xffff9a0c40087000', name: '\\??\\C:\\Users\\alice\\ntuser.dat' };
const at = '\\SystemRoot\\System32\\Config\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion';
const row = (values: PluginRow['values']): PluginRow => ({ depth: 0, values });
const warning = (message: string): CountedWarning => ({ code: 'UNREADABLE', message, count: 1 });
const aboutCurrentVersion = warning(
  'hive \\SystemRoot\\System32\\Config\\SOFTWARE key CurrentVersion (cell 0x2b0): subkey cell 0x1020 is not in memory (paged-out bin) or not a key (nk): left out',
);

describe('registry browser model', () => {
  it('reads a key’s subkeys and values from printkey’s rows, and counts its own subkeys not in memory', () => {
    const rows = [
      row(['2024-04-11T02:09:07+00:00', 0xffff9a0c40080000n, 'Key', at, 'Run', null, false]),
      row(['2024-04-11T01:44:00+00:00', 0xffff9a0c40080000n, 'Key', at, 'RunOnce', null, true]),
      row(['2024-04-11T01:57:32+00:00', 0xffff9a0c40080000n, 'REG_SZ', at, 'ProgramFilesDir', 'C:\\Program Files', false]),
    ];
    const listing = keyListing(columns, rows, [aboutCurrentVersion], []);
    assert.equal(listing.found, true);
    assert.deepEqual(listing.subkeys, [
      { name: 'Run', lastWrite: '2024-04-11T02:09:07+00:00', volatile: false },
      { name: 'RunOnce', lastWrite: '2024-04-11T01:44:00+00:00', volatile: true },
    ]);
    assert.deepEqual(listing.values, [row(['ProgramFilesDir', 'REG_SZ', 'C:\\Program Files'])]);
    assert.equal(listing.lastWrite, '2024-04-11T01:57:32+00:00');
    assert.equal(listing.missingSubkeys, 1);
    // A subkey's run repeats what finding it said about CurrentVersion: that is not about the subkey.
    const run = keyListing(columns, [], [aboutCurrentVersion], listing.runWarnings);
    assert.equal(run.missingSubkeys, 0);
    assert.deepEqual(run.warnings, []);
  });

  it('takes Volatility’s row for a hive without the key as "not found"', () => {
    const listing = keyListing(columns, [row([null, 0xffff9a0c40080000n, 'Key', `${at}\\Uninstall`, null, null, null])], [], []);
    assert.equal(listing.found, false);
    assert.deepEqual(listing.subkeys, []);
  });

  it('asks printkey for one hive by its offset in 48 bits, as Volatility prints it', () => {
    assert.deepEqual(printkeyOptions(software, ['Microsoft', 'Windows']), { offset: 0x9a0c40080000, key: 'Microsoft\\Windows' });
    assert.deepEqual(printkeyOptions(software, [], true), { offset: 0x9a0c40080000, recurse: true });
  });

  it('offers the persistence keys of the hives listed; Services in the control set Select\\Current names', () => {
    const labels = shortcuts([{ offset: '0xffff9a0c4006f000', name: '' }, system, software, user]).map((s) => `${s.label}: ${s.path.join('\\')}`);
    assert.deepEqual(labels, [
      'Run (SOFTWARE): Microsoft\\Windows\\CurrentVersion\\Run',
      'RunOnce (SOFTWARE): Microsoft\\Windows\\CurrentVersion\\RunOnce',
      'Winlogon: Microsoft\\Windows NT\\CurrentVersion\\Winlogon',
      'Scheduled tasks (TaskCache): Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache',
      'Services (SYSTEM): CurrentControlSet\\Services',
      'Run (alice): Software\\Microsoft\\Windows\\CurrentVersion\\Run',
      'RunOnce (alice): Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
    ]);
    assert.deepEqual(servicesPath([row(['Current', 'REG_DWORD', '2']), row(['Default', 'REG_DWORD', '1'])]), ['ControlSet002', 'Services']);
    assert.deepEqual(servicesPath(undefined), ['ControlSet001', 'Services']);
  });

  it('turns a search hit’s row into its hive and path', () => {
    const hit = keyHit(columns, row(['2024-04-11T02:09:07+00:00', 0xffff9a0c40080000n, 'Key', at, 'Run', null, false]), [system, software]);
    assert.deepEqual(hit?.path, ['Microsoft', 'Windows', 'CurrentVersion', 'Run']);
    assert.equal(hit?.hive, software);
    const top = keyHit(columns, row([null, 0xffff9a0c40080000n, 'Key', software.name, 'Microsoft', null, false]), [software]);
    assert.deepEqual(top?.path, ['Microsoft']);
  });
});
