import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';
import { domainMentions, recordAddress, type MentionedRun } from '../../src/ui/domain-mentions.ts';

const run = (id: string, name: string, columns: Column[], values: PluginRow['values'][]): MentionedRun => ({
  id,
  plugin: { name },
  columns,
  rows: values.map((v) => ({ depth: 0, values: v })),
});

const cmdline = run(
  'c',
  'windows.cmdline',
  [
    { name: 'PID', type: 'int' },
    { name: 'Args', type: 'str' },
  ],
  [
    [1, 'curl https://telemetry.svc-update.net/beacon'],
    [2, 'ping notsvc-update.net'],
    [3, 'nslookup TELEMETRY.SVC-UPDATE.NET.'],
    [4, 'svc-update.net.evil.example'],
  ],
);
const netscan = run(
  'n',
  'windows.netscan',
  [
    { name: 'ForeignAddr', type: 'str' },
    { name: 'ForeignPort', type: 'int' },
  ],
  [
    ['203.0.113.45', 443],
    ['203.0.113.450', 443],
    ['10.0.2.15', 80],
  ],
);
const dns = run('d', 'windows.dnscache', [{ name: 'Name', type: 'str' }], [['telemetry.svc-update.net']]);

describe('where else a cached name shows in the runs so far', () => {
  it('by name (whole, in a URL, any case) and by the address it resolved to; not inside a longer name; not the DNS run', () => {
    assert.deepEqual(domainMentions('telemetry.svc-update.net', '203.0.113.45', [dns, cmdline, netscan], 'd'), [
      { runId: 'c', plugin: 'windows.cmdline', rows: 2, term: 'telemetry.svc-update.net' },
      { runId: 'n', plugin: 'windows.netscan', rows: 1, term: '203.0.113.45' },
    ]);
  });

  it('a parent domain matches names under it; record data that is no address is not searched for', () => {
    assert.deepEqual(
      [recordAddress('203.0.113.45'), recordAddress('2001:db8::1'), recordAddress('mail.corp.example'), recordAddress(10)],
      ['203.0.113.45', '2001:db8::1', undefined, undefined],
    );
    assert.deepEqual(domainMentions('svc-update.net', recordAddress('mail.corp.example'), [cmdline, netscan], 'd'), [
      { runId: 'c', plugin: 'windows.cmdline', rows: 3, term: 'svc-update.net' },
    ]);
  });

  it('no mention: an empty list', () => {
    assert.deepEqual(domainMentions('www.bing.com', '204.108.195.113', [cmdline, netscan], 'd'), []);
  });
});
