import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, filterTable, openGeneratedWindows, rowCount, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { pierce, waitFor } from './dom.ts';
import { violations } from './axe.ts';
import { deleteDatabase } from './idb.ts';

// Domain enrichment in the built app. Privacy first: opening an image and running every plugin sends nothing but to
// the server the page came from, and a confirmed Umbrella lookup goes to the configured host alone (a local mock),
// with the key in its Authorization header. Then windows.dnscache on a generated image (expected.json dnsCache):
// matched against a list file given to the file input, and looked up with the mock, malicious rows marked; axe clean.

const SIZE = 32 * 1024 * 1024;
const SEED = 11;
const KEY = 'memscope-test-key-5f3a';
const SETTINGS_DB = { name: 'memscope-enrichment', store: 'settings' };

interface Recorded {
  readonly url: string;
  readonly type: string;
}
interface MockLookup {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null;
  readonly names: string;
}

const startRecording = () => executeServerCommand('record-requests', { recording: true });

/**
 * The requests recorded since startRecording. The browser reports them to the test server on a channel of their own,
 * not ordered with the test's commands: a second's wait lets the last ones (a removed frame's) arrive first.
 */
async function recorded(): Promise<Recorded[]> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return (await executeServerCommand('record-requests', { recording: false })) as Recorded[];
}
const mockLookups = () => executeServerCommand('umbrella-mock-requests') as Promise<MockLookup[]>;
const startMock = (
  known: Record<string, { status: number; security?: string[]; content?: string[] }>,
  status?: number,
  headers?: Record<string, string>,
) => executeServerCommand('umbrella-mock', { known, status, headers }) as Promise<string>;

/** Origins of the recorded requests other than this test server's (data: and blob: URLs never leave the browser). */
function foreignOrigins(requests: readonly Recorded[]): string[] {
  const urls = requests.map((r) => r.url).filter((u) => !/^(data|blob):/.test(u));
  return [...new Set(urls.map((u) => new URL(u).origin))].filter((o) => o !== location.origin);
}

/** The name enrichment asks about, as src/enrich does it (written again here from the rule, not imported). */
function eligible(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.+$/, '');
  return n.includes('.') && !/(^|\.)(in-addr|ip6)\.arpa$/.test(n) ? n : undefined;
}

/** Runs a plugin from the picker however it ends (rows, an error shown, or Run disabled for want of options). */
async function runAnyhow(app: AppFrame, plugin: string): Promise<string> {
  (await waitFor(() => app.find('plugin-picker', `button[data-plugin="${plugin}"]`), `${plugin} in the picker`)).click();
  const submit = await waitFor(() => {
    const b = app.find('plugin-picker', 'button[type=submit]') as HTMLButtonElement | null;
    return b?.textContent?.includes(plugin) ? b : undefined;
  }, `Run ${plugin}`);
  if (submit.disabled) return 'not runnable here';
  submit.click();
  return waitFor(
    () => {
      const failure = app.find('error-message');
      if (failure) {
        const text = failure.shadowRoot?.textContent ?? '';
        app.dismissFailure();
        return `error: ${text.trim().slice(0, 60)}`;
      }
      const state = app.find('.result-state')?.textContent ?? '';
      return app.find('.result-head h2')?.textContent === plugin && !state.includes('running') ? state : undefined;
    },
    `${plugin} to end`,
    60000,
  );
}

function enrichment(app: AppFrame): HTMLElement {
  return app.find('domain-enrichment')!;
}

/** Saves the Umbrella settings through the form, as a user would. */
async function saveSettings(app: AppFrame, key: string, url: string): Promise<void> {
  const form = await waitFor(() => pierce(enrichment(app), 'umbrella-settings'), 'the Umbrella settings');
  pierce(form, 'details')!.setAttribute('open', '');
  (pierce(form, 'input[name=key]') as HTMLInputElement).value = key;
  (pierce(form, 'input[name=url]') as HTMLInputElement).value = url;
  pierce(form, 'button.save')!.click();
  await waitFor(() => pierce(form, '.state')?.textContent?.includes(new URL(url).origin), 'the settings saved');
}

/** Presses Look up, checks the confirmation's host and count, and sends. */
async function lookUp(app: AppFrame, host: string, count: number): Promise<void> {
  const button = await waitFor(() => pierce(enrichment(app), 'button.lookup') as HTMLButtonElement | null, 'Look up');
  await waitFor(() => !button.disabled, 'Look up enabled');
  button.click();
  const confirm = await waitFor(() => pierce(enrichment(app), '.confirm'), 'the confirmation');
  ok(confirm.textContent!.includes(host), `the confirmation names ${host}: ${confirm.textContent}`);
  ok(confirm.textContent!.includes(`Send ${count} domain names`), `it says ${count} names: ${confirm.textContent}`);
  deepEqual(await mockLookups(), [], 'nothing is sent before the confirmation');
  pierce(enrichment(app), 'button.send')!.click();
}

/** Each cached name's verdicts in the table, once its rows are enriched by `source`. */
async function verdicts(app: AppFrame, source: string): Promise<Map<string, Set<string>>> {
  const table = await waitFor(() => app.find('result-table'), 'the table');
  await waitFor(() => table.shadowRoot!.textContent!.includes(source), `rows enriched by ${source}`, 10000);
  const byName = new Map<string, Set<string>>();
  for (const r of await app.records(table)) byName.set(r['Name']!, (byName.get(r['Name']!) ?? new Set()).add(r['Verdict']!));
  return byName;
}

describe('end to end: domain enrichment in the built app', function () {
  this.timeout(240000);

  it('opening the sample and running every plugin makes no request but to the page’s own server', async () => {
    await deleteDatabase(SETTINGS_DB);
    await startRecording();
    const app = await AppFrame.open();
    try {
      app.find('button.sample')!.click();
      await app.summaryText('sample.raw');
      await waitFor(() => app.find('.result-state')?.textContent?.includes('rows in'), 'the process tree', 20000);
      const plugins = [...app.find('plugin-picker')!.shadowRoot!.querySelectorAll('button[data-plugin]')].map((b) => b.getAttribute('data-plugin')!);
      ok(plugins.length > 20, `the sample offers ${plugins.length} plugins`);
      const ended = [];
      for (const plugin of plugins) ended.push(`${plugin}: ${await runAnyhow(app, plugin)}`);
      ok(ended.filter((e) => e.includes('rows in')).length > 20, ended.join('\n'));
    } finally {
      app.close();
    }
    const requests = await recorded();
    ok(
      requests.some((r) => r.url.endsWith('/dist/app/memscope.wasm')),
      'requests workers make are recorded (the engine worker’s Wasm)',
    );
    deepEqual(foreignOrigins(requests), [], 'requests to other origins');
  });

  describe('windows.dnscache on a generated image', () => {
    let fixture: WindowsFixture;
    let app: AppFrame;
    let names: string[];

    before(async () => {
      await deleteDatabase(SETTINGS_DB);
      fixture = await windowsFixture(SIZE, SEED);
      ok(fixture.expected.dnsCache, 'the generator wrote a DNS Client');
      app = await openGeneratedWindows(fixture);
      const table = await app.run('windows.dnscache');
      const listed = (await app.records(table)).map((r) => r['Name']!);
      deepEqual(listed.sort(), fixture.expected.dnsCache!.rows.map((r) => r.name).sort(), 'the cached names');
      names = [...new Set(listed)];
    });

    after(() => app?.close());

    it('matches a list file: listed names and names under a listed domain are marked malicious', async () => {
      const candidates = names.map((n) => eligible(n)).filter((n): n is string => n !== undefined && n.split('.').length >= 3);
      ok(candidates.length >= 2, `names with a parent domain: ${candidates.join(', ')}`);
      const exact = candidates[0]!;
      const parent = candidates[1]!.split('.').slice(1).join('.');
      const list = `# a blocklist export\ndomain,category\n${exact.toUpperCase()}.,Malware\n"*.${parent}",Phishing\n`;
      const path = (await executeServerCommand('fixture-text', { name: 'blocklist.csv', text: list })) as string;
      await executeServerCommand('upload-file', {
        frame: app.name,
        selector: 'memscope-app >>>> domain-enrichment >>>> input[type=file]',
        path,
      });
      const got = await verdicts(app, 'list:blocklist.csv');
      for (const name of names) {
        const n = eligible(name);
        const listed = n !== undefined && (n === exact || n === parent || n.endsWith(`.${parent}`));
        deepEqual([...got.get(name)!], [n === undefined ? 'N/A' : listed ? 'malicious' : 'unknown'], name);
      }
      const summary = await waitFor(() => pierce(enrichment(app), '.summary'), 'the summary');
      ok(summary.textContent!.includes('list:blocklist.csv'), summary.textContent!);
      const flagged = [...summary.querySelectorAll('.malicious li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
      ok(
        flagged.some((f) => f.startsWith('Malicious') && f.includes(exact) && f.includes('Malware')),
        flagged.join(' | '),
      );
      ok(
        flagged.some((f) => f.includes(`listed: ${parent}`) && f.includes('Phishing')),
        flagged.join(' | '),
      );
      deepEqual(await mockLookups(), [], 'a list sends nothing');

      const table = app.find('result-table')!;
      const maliciousRows = fixture.expected.dnsCache!.rows.filter((r) => {
        const n = eligible(r.name);
        return n !== undefined && (n === exact || n === parent || n.endsWith(`.${parent}`));
      }).length;
      pierce(enrichment(app), 'button.only-malicious')!.click();
      await waitFor(() => rowCount(table).shown === maliciousRows, `${maliciousRows} rows shown`);
      deepEqual([...new Set((await app.records(table)).map((r) => r['Verdict']))], ['malicious']);
      await filterTable(table, '');
    });

    it('looks up with Umbrella only after confirming, only at the configured host, with the key; errors in plain words', async () => {
      const wanted = [...new Set(names.map(eligible).filter((n): n is string => n !== undefined))];
      const [bad, good] = wanted;
      const url = await startMock({
        [bad!]: { status: -1, security: ['Malware', 'Command and Control'] },
        [good!]: { status: 1, content: ['Business'] },
      });
      const lookupButton = pierce(enrichment(app), 'button.lookup') as HTMLButtonElement;
      ok(lookupButton.disabled, 'Look up is off until a key is saved');
      await saveSettings(app, KEY, url);

      await startRecording();
      await lookUp(app, new URL(url).origin, wanted.length);
      await waitFor(() => pierce(enrichment(app), '.summary')?.textContent?.includes('umbrella'), 'the lookup', 20000);
      const requests = await recorded();
      deepEqual(foreignOrigins(requests), [new URL(url).origin], 'the page reached the mock and nothing else');
      const lookups = await mockLookups();
      equal(lookups.length, 1, 'one batch');
      deepEqual(
        lookups.map((l) => [l.method, l.url, l.authorization]),
        [['POST', '/domains/categorization/?showLabels', `Bearer ${KEY}`]],
      );
      deepEqual((JSON.parse(lookups[0]!.names) as string[]).sort(), [...wanted].sort(), 'the names sent');

      const got = await verdicts(app, 'umbrella');
      for (const name of names) {
        const n = eligible(name);
        const expected = n === undefined ? 'N/A' : n === bad ? 'malicious' : n === good ? 'benign' : 'unknown';
        deepEqual([...got.get(name)!], [expected], name);
      }
      const flagged = pierce(enrichment(app), '.summary .malicious')!.textContent!.replace(/\s+/g, ' ');
      ok(flagged.includes('Malicious') && flagged.includes(bad!) && flagged.includes('Command and Control'), flagged);
      ok(!app.element.contentWindow!.location.href.includes(KEY), 'the key is not in the URL');

      const failure = async (host: string, says: string, requests: number) => {
        await lookUp(app, host, wanted.length);
        const problem = await waitFor(() => pierce(enrichment(app), '.problem'), 'the error', 20000);
        ok(problem.textContent!.includes(says), problem.textContent!);
        ok(!problem.textContent!.includes(KEY), 'the key is not in the message');
        equal((await mockLookups()).length, requests, `requests for "${says}"`);
      };
      await startMock({}, 401);
      await failure(new URL(url).origin, 'the API key was refused (HTTP 401)', 1);
      await startMock({}, 429, { 'Retry-After': '3600' });
      await failure(new URL(url).origin, 'rate limited (HTTP 429): the service asks to wait 3600 s', 1);
      // Nothing listens on the discard port: the page cannot reach the service. (The key field left empty keeps the key.)
      await saveSettings(app, '', 'http://127.0.0.1:9');
      await failure('http://127.0.0.1:9', 'http://127.0.0.1:9 could not be reached', 0);
    });

    it('the lookup frame may reach the configured origin only', async () => {
      const frame = document.createElement('iframe');
      frame.src = '/dist/umbrella-frame.html';
      const ready = new Promise((resolve) => addEventListener('message', (e) => e.source === frame.contentWindow && resolve(e.data)));
      document.body.append(frame);
      await ready;
      const win = frame.contentWindow as Window & typeof globalThis;
      const blocked: string[] = [];
      win.addEventListener('securitypolicyviolation', (e) => blocked.push(e.blockedURI));
      await win.fetch('/dist/index.html').then(
        () => ok(false, 'the page’s own server is not the configured origin'),
        () => {},
      );
      await win.fetch('https://investigate.api.umbrella.com/').then(
        () => ok(false, 'another https origin'),
        () => {},
      );
      await waitFor(() => blocked.length === 2, 'two CSP violations');
      frame.remove();
    });

    it('has no accessibility violations on the enriched view', async () => {
      pierce(pierce(enrichment(app), 'umbrella-settings')!, 'details')!.setAttribute('open', '');
      deepEqual(await violations(app), [], 'the enriched dnscache view with the settings open');
      pierce(enrichment(app), 'button.lookup')!.click();
      await waitFor(() => pierce(enrichment(app), '.confirm'), 'the confirmation');
      deepEqual(await violations(app), [], 'the lookup’s confirmation');
      pierce(enrichment(app), 'button.cancel')!.click();
    });

    it('a cached name links to the connections to the address it resolved to (windows.netscan)', async () => {
      const remote = new Set(fixture.expected.network.rows.map((r) => r.foreignAddr));
      const pivot = fixture.expected.dnsCache!.rows.find((r) => (r.type === 'A' || r.type === 'AAAA') && remote.has(r.data));
      ok(pivot, 'the generator resolved a name to an address the machine connected to');
      const connections = fixture.expected.network.rows.filter((r) => r.foreignAddr === pivot.data);
      await app.run('windows.netscan');
      const tab = (plugin: string) =>
        [...app.find()!.shadowRoot!.querySelectorAll<HTMLElement>('.run-tabs button[role=tab]')].find((t) => t.textContent!.startsWith(plugin))!;
      tab('windows.dnscache').click();
      const dns = await waitFor(
        () => (app.find('.result-head h2')?.textContent === 'windows.dnscache' ? app.find('result-table') : null),
        'the DNS cache again',
      );
      await filterTable(dns, `data:${pivot.data}`);
      const records = fixture.expected.dnsCache!.rows.filter((r) => r.data === pivot.data);
      await waitFor(() => rowCount(dns).shown === records.length, `the ${records.length} record(s) resolving to ${pivot.data}`);
      const row = await waitFor(() => dns.shadowRoot!.querySelector<HTMLElement>('.grid-row [role=gridcell]'), 'the record’s row');
      row.click();
      const link = await waitFor(() => dns.shadowRoot!.querySelector<HTMLButtonElement>('.mentions button.mention'), 'a link to the connections');
      equal(
        link.textContent!.replace(/\s+/g, ' ').trim(),
        `windows.netscan: ${connections.length} row${connections.length === 1 ? '' : 's'} with ${pivot.data}`,
      );
      link.click();
      const netscan = await waitFor(
        () => (app.find('.result-head h2')?.textContent === 'windows.netscan' ? app.find('result-table') : null),
        'netscan shown',
      );
      await waitFor(() => rowCount(netscan).shown === connections.length, `${connections.length} connections shown`);
      deepEqual(
        (await app.records(netscan)).map((r) => [r['ForeignAddr'], r['ForeignPort']]),
        connections.map((c) => [c.foreignAddr, String(c.foreignPort)]),
      );
    });
  });
});
