import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDomainList } from '../../src/enrich/domain-list.ts';
import { normalizeDomain, selfAndParents } from '../../src/enrich/domain-name.ts';
import { ListProvider } from '../../src/enrich/list-provider.ts';

const entries = (text: string) => Object.fromEntries(parseDomainList(text, 'list.txt').entries);

async function lookup(text: string, names: string[]) {
  return Object.fromEntries(await new ListProvider('list:list.txt', parseDomainList(text, 'list.txt')).lookup(names));
}

describe('domain names', () => {
  it('are compared lower-case without surrounding space or trailing dots; IP addresses and junk are none', () => {
    assert.equal(normalizeDomain(' WWW.Example.COM. '), 'www.example.com');
    assert.equal(normalizeDomain('_ldap._tcp.dc.example'), '_ldap._tcp.dc.example');
    for (const junk of ['', '.', '10.0.0.1', 'fe80::1', 'a b.example', 'a..example', '-a.example', 'x'.repeat(64) + '.example'])
      assert.equal(normalizeDomain(junk), undefined, junk);
  });

  it('have their parents, most specific first', () => {
    assert.deepEqual([...selfAndParents('a.b.evil.com')], ['a.b.evil.com', 'b.evil.com', 'evil.com', 'com']);
    assert.deepEqual([...selfAndParents('localhost')], ['localhost']);
  });
});

describe('domain lists', () => {
  it('plain text: a domain per line, an optional label after whitespace or a comma, # comments, hosts and adblock lines', () => {
    const text = [
      '# exported 2026-12-01',
      '',
      'Evil.COM  malware',
      'phish.example.,Phishing; credential theft',
      '  tracker.example   # no label, a comment',
      '0.0.0.0 ads.example',
      '127.0.0.1\tlocal-ads.example ads',
      '||adblock.example^$third-party',
      'https://user@dropper.example:8443/payload.exe',
      '*.wild.example',
      '.tk',
      'stray',
      '10.1.2.3',
      'evil.com c2',
    ].join('\r\n');
    const list = parseDomainList(text, 'list.txt');
    assert.equal(list.format, 'text');
    assert.deepEqual(Object.fromEntries(list.entries), {
      'evil.com': ['malware', 'c2'],
      'phish.example': ['Phishing', 'credential theft'],
      'tracker.example': [],
      'ads.example': [],
      'local-ads.example': ['ads'],
      'adblock.example': [],
      'dropper.example': [],
      'wild.example': [],
      tk: [],
    });
    assert.equal(list.skipped, 2, 'a word without a dot and an address are not domains');
    assert.equal(list.firstSkipped, 12);
  });

  it('CSV with a header: the domain and label columns found by their usual names, quoted fields, any column order', () => {
    const text = [
      '"first_seen","threat type","Domain Name","reporter"',
      '2026-11-30,"botnet_cc, malware",C2.Example,abuse',
      '2026-11-29,phishing,"login.example.",x',
    ].join('\n');
    const list = parseDomainList(text, 'list.txt');
    assert.equal(list.format, 'csv');
    assert.deepEqual(Object.fromEntries(list.entries), { 'c2.example': ['botnet_cc', 'malware'], 'login.example': ['phishing'] });
    // A URL column stands for its hosts; no label column: listed without labels. Tabs: TSV.
    assert.deepEqual(entries('id,url\n1,http://a.example/x\n2,https://B.example:443/'), { 'a.example': [], 'b.example': [] });
    assert.deepEqual(entries('hostname\tcategory\nx.example\tadware\n'), { 'x.example': ['adware'] });
  });

  it('says why a list cannot be used: empty, a CSV header without a domain column, no domain at all', () => {
    assert.throws(() => parseDomainList('# only comments\n\n', 'list.txt'), /^MemscopeError: list\.txt: the domain list is empty/);
    assert.throws(() => parseDomainList('id,score\n1,2\n', 'list.txt'), /names no domain column \(one of: domain, /);
    assert.throws(() => parseDomainList('stray\nwords\n', 'list.txt'), /holds no domain name \(2 lines are not one, the first is line 1\)/);
  });

  it('matches names and the names below a listed domain, case-insensitively, naming the domain that matched', async () => {
    const text = 'evil.com malware\nsub.evil.com c2\ngood.example allowlist\n.tk\n';
    assert.deepEqual(await lookup(text, ['a.b.evil.com', 'sub.evil.com', 'x.sub.evil.com', 'notevil.com', 'www.good.example', 'free.tk', 'com']), {
      'a.b.evil.com': { verdict: 'malicious', security: ['malware'], content: [], matched: 'evil.com', source: 'list:list.txt' },
      'sub.evil.com': { verdict: 'malicious', security: ['c2'], content: [], matched: 'sub.evil.com', source: 'list:list.txt' },
      'x.sub.evil.com': { verdict: 'malicious', security: ['c2'], content: [], matched: 'sub.evil.com', source: 'list:list.txt' },
      'www.good.example': { verdict: 'benign', security: ['allowlist'], content: [], matched: 'good.example', source: 'list:list.txt' },
      'free.tk': { verdict: 'malicious', security: [], content: [], matched: 'tk', source: 'list:list.txt' },
    });
    const provider = new ListProvider('list:x', parseDomainList('EVIL.com.\n', 'x'));
    assert.equal((await provider.lookup(['evil.com']))?.get('evil.com')?.matched, 'evil.com');
  });

  it('keeps a big list as one map whose entries share their label arrays', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `host${i}.bad${i % 97}.example malware`);
    const list = parseDomainList(lines.join('\n'), 'big.txt');
    assert.equal(list.entries.size, 200_000);
    const arrays = new Set(list.entries.values());
    assert.equal(arrays.size, 1);
  });
});
