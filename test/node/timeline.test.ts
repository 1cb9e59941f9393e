/**
 * The timeline merges every timestamp column of the runs so far: one event per (time, column, process), however many
 * plugins saw it, oldest first; rows without a process keep their own details apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';
import { TIMELINE_COLUMNS, timelineRows } from '../../src/ui/timeline-rows.ts';

const processColumns: Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'PPID', type: 'int' },
  { name: 'ImageFileName', type: 'str' },
  { name: 'CreateTime', type: 'datetime' },
  { name: 'ExitTime', type: 'datetime' },
];
const row = (...values: PluginRow['values']): PluginRow => ({ depth: 0, values });
const pslist = [row(4, 0, 'System', '2024-03-01T10:00:00+00:00', null), row(700, 4, 'svchost.exe', '2024-03-01T10:02:00+00:00', null)];
const psscan = [...pslist, row(900, 700, 'evil.exe', '2024-03-01T10:01:00+00:00', '2024-03-01T10:03:00+00:00')];
const netColumns: Column[] = [
  { name: 'Proto', type: 'str' },
  { name: 'LocalPort', type: 'int' },
  { name: 'Created', type: 'datetime' },
];
const netscan = [row('TCPv4', 445, '2024-03-01T10:02:30+00:00'), row('UDPv4', 53, '2024-03-01T10:02:30+00:00')];

describe('timeline', () => {
  const rows = timelineRows([
    { plugin: 'windows.pslist', columns: processColumns, rows: pslist },
    { plugin: 'windows.psscan', columns: processColumns, rows: psscan },
    { plugin: 'windows.netscan', columns: netColumns, rows: netscan },
    { plugin: 'windows.info', columns: [{ name: 'Variable', type: 'str' }], rows: [row('Kernel')] },
  ]);
  const at = (name: string) => TIMELINE_COLUMNS.findIndex((c) => c.name === name);

  it('has one row per event, oldest first, each naming the plugins that saw it', () => {
    assert.deepEqual(
      rows.map((r) => [r.values[at('Time')], r.values[at('Event')], r.values[at('PID')], r.values[at('Source')]]),
      [
        ['2024-03-01T10:00:00+00:00', 'CreateTime', 4, 'windows.pslist, windows.psscan'],
        ['2024-03-01T10:01:00+00:00', 'CreateTime', 900, 'windows.psscan'],
        ['2024-03-01T10:02:00+00:00', 'CreateTime', 700, 'windows.pslist, windows.psscan'],
        ['2024-03-01T10:02:30+00:00', 'Created', null, 'windows.netscan'],
        ['2024-03-01T10:02:30+00:00', 'Created', null, 'windows.netscan'],
        ['2024-03-01T10:03:00+00:00', 'ExitTime', 900, 'windows.psscan'],
      ],
    );
  });

  it("gives each event its process and the row's other values in short", () => {
    const exit = rows.find((r) => r.values[at('Event')] === 'ExitTime')!;
    assert.equal(exit.values[at('Process')], 'evil.exe');
    assert.equal(exit.values[at('Details')], 'PPID=700');
    assert.deepEqual(
      rows.filter((r) => r.values[at('Event')] === 'Created').map((r) => r.values[at('Details')]),
      ['Proto=TCPv4 LocalPort=445', 'Proto=UDPv4 LocalPort=53'],
    );
  });

  it('places kernel-log lines at boot time + their seconds since boot, once the boot time is known', () => {
    const kmsgColumns: Column[] = ['facility', 'level', 'timestamp', 'caller', 'line'].map((name) => ({ name, type: 'str' }));
    const kmsg = {
      plugin: 'linux.kmsg',
      columns: kmsgColumns,
      rows: [row('kern', 'info', '0.000000', 'T0', 'Linux version 6.1'), row('kern', 'err', '125.750001', 'T9', 'oops')],
    };
    const withProcesses = [{ plugin: 'windows.pslist', columns: processColumns, rows: pslist }, kmsg];
    assert.equal(timelineRows(withProcesses).length, 2, 'without a boot time, kernel-log lines have no place');
    assert.deepEqual(
      timelineRows(withProcesses, '2024-03-01T09:59:50.500000+00:00').map((r) => [
        r.values[at('Time')],
        r.values[at('Event')],
        r.values[at('Details')],
      ]),
      [
        ['2024-03-01T09:59:50.500000+00:00', 'kernel message', 'Linux version 6.1'],
        ['2024-03-01T10:00:00+00:00', 'CreateTime', 'PPID=0'],
        ['2024-03-01T10:01:56.250001+00:00', 'kernel message', 'oops'],
        ['2024-03-01T10:02:00+00:00', 'CreateTime', 'PPID=4'],
      ],
    );
  });

  it('is empty without timestamps', () => {
    assert.deepEqual(timelineRows([{ plugin: 'windows.info', columns: [{ name: 'Variable', type: 'str' }], rows: [row('Kernel')] }]), []);
  });
});
