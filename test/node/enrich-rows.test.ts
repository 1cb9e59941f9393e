import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrichmentColumns, enrichRows, enrichStream } from '../../src/enrich/enrich-rows.ts';
import { EnrichError, type DomainProvider, type DomainVerdict } from '../../src/enrich/provider.ts';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';

const COLUMNS: Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'Name', type: 'str' },
];

/** A provider that knows evil.example, records every lookup and fails from lookup `failAt` on. */
function fakeProvider(failAt = Infinity): DomainProvider & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    name: 'fake',
    asked,
    async lookup(names) {
      asked.push([...names]);
      if (asked.length > failAt) throw new EnrichError('offline', 'fake', 'the fake service is down');
      const verdict: DomainVerdict = { verdict: 'malicious', security: ['Malware'], content: ['Hacking'], matched: 'evil.example', source: 'fake' };
      return new Map(names.filter((n) => n.endsWith('evil.example')).map((n) => [n, verdict]));
    },
  };
}

const row = (pid: number, name: string | null, depth = 0): PluginRow => ({ depth, values: [pid, name] });

async function collect(rows: AsyncIterable<PluginRow>): Promise<PluginRow[]> {
  const all: PluginRow[] = [];
  for await (const r of rows) all.push(r);
  return all;
}

async function* stream(rows: PluginRow[], failAfter?: number): AsyncGenerator<PluginRow> {
  for (const [i, r] of rows.entries()) {
    if (i === failAfter) throw new Error('the run failed');
    yield r;
  }
}

describe('enriching plugin rows', () => {
  it('appends Verdict, Categories, Matched and Enrichment source; rows without a domain name get N/A (so do single labels and reverse-lookup names, never sent); each name is asked once', async () => {
    const provider = fakeProvider();
    const rows = [row(1, 'a.Evil.Example.'), row(2, null), row(3, 'good.example', 1), row(4, 'a.evil.example'), row(5, '10.0.0.1')];
    rows.push(row(6, 'wpad'), row(7, '1.0.168.192.in-addr.arpa'), row(8, 'b.0.0.0.ip6.arpa'));
    const enriched = await enrichRows(provider, COLUMNS, rows, 'Name');
    assert.deepEqual(
      enriched.columns.map((c) => [c.name, c.type]),
      [
        ['Verdict', 'str'],
        ['Categories', 'str'],
        ['Matched', 'str'],
        ['Enrichment source', 'str'],
      ],
    );
    assert.deepEqual(enriched.values, [
      ['malicious', 'Malware, Hacking', 'evil.example', 'fake'],
      [null, null, null, null],
      ['unknown', '', null, 'fake'],
      ['malicious', 'Malware, Hacking', 'evil.example', 'fake'],
      [null, null, null, null],
      [null, null, null, null],
      [null, null, null, null],
      [null, null, null, null],
    ]);
    assert.deepEqual(provider.asked, [['a.evil.example', 'good.example']]);
  });

  it('gives its columns another name where the plugin has one of theirs', () => {
    assert.deepEqual(
      enrichmentColumns([...COLUMNS, { name: 'Verdict', type: 'str' }]).map((c) => c.name),
      ['Verdict (enrichment)', 'Categories', 'Matched', 'Enrichment source'],
    );
  });

  it('streams in batches, asking only for names not asked before; keeps depth', async () => {
    const provider = fakeProvider();
    const rows = [row(1, 'x.evil.example'), row(2, 'b.example', 1), row(3, 'x.evil.example'), row(4, 'c.example'), row(5, 'b.example')];
    const out = await collect(enrichStream(provider, COLUMNS, 'Name', stream(rows), { batchRows: 2, onError: () => assert.fail() }));
    assert.deepEqual(provider.asked, [['x.evil.example', 'b.example'], ['c.example']]);
    assert.deepEqual(
      out.map((r) => [r.depth, ...r.values.slice(0, 3)]),
      [
        [0, 1, 'x.evil.example', 'malicious'],
        [1, 2, 'b.example', 'unknown'],
        [0, 3, 'x.evil.example', 'malicious'],
        [0, 4, 'c.example', 'unknown'],
        [0, 5, 'b.example', 'unknown'],
      ],
    );
  });

  it('a provider failure is reported once and costs the enrichment, not the rows', async () => {
    const provider = fakeProvider(1);
    const errors: string[] = [];
    const rows = [row(1, 'x.evil.example'), row(2, 'b.example'), row(3, 'c.example'), row(4, 'd.example'), row(5, 'x.evil.example')];
    const out = await collect(enrichStream(provider, COLUMNS, 'Name', stream(rows), { batchRows: 1, onError: (e) => errors.push(e.message) }));
    assert.deepEqual(errors, ['fake: the fake service is down']);
    assert.equal(provider.asked.length, 2, 'not asked again after failing');
    assert.deepEqual(
      out.map((r) => r.values[2]),
      ['malicious', null, null, null, 'malicious'],
    );
  });

  it('rows gathered when the run fails are yielded before its error', async () => {
    const rows = [row(1, 'a.example'), row(2, 'b.example'), row(3, 'c.example')];
    const out: PluginRow[] = [];
    await assert.rejects(async () => {
      for await (const r of enrichStream(fakeProvider(), COLUMNS, 'Name', stream(rows, 2), { batchRows: 10, onError: () => {} })) out.push(r);
    }, /the run failed/);
    assert.deepEqual(
      out.map((r) => r.values.slice(0, 3)),
      [
        [1, 'a.example', 'unknown'],
        [2, 'b.example', 'unknown'],
      ],
    );
  });
});
