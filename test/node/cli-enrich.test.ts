import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.ts';
import { openEnrichment } from '../../src/cli/enrichment.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { validatePlugin } from '../../src/plugins/plugin-validation.ts';
import { categorization, startUmbrellaMock } from '../helpers/umbrella-mock.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'cli-k3y-77aa-SECRET';

/** A third-party plugin whose rows hold domain names (and one without such a column), for any image. */
const PLUGINS = `
const base = { version: '1.0.0', description: 'test', requirements: [], tree: false, options: [] };
export const plugins = [
  { ...base, name: 'test.domains', domainColumn: 'Name',
    columns: [{ name: 'PID', type: 'int' }, { name: 'Name', type: 'str' }],
    async *run() {
      yield { depth: 0, values: [4, 'www.Evil.example.'] };
      yield { depth: 0, values: [5, null] };
      yield { depth: 0, values: [6, 'good.example'] };
      yield { depth: 0, values: [7, 'new.example'] };
    } },
  { ...base, name: 'test.nodomains', columns: [{ name: 'PID', type: 'int' }], async *run() { yield { depth: 0, values: [4] }; } },
];
`;

/** test.domains as parseCli sees it (the enrichment flags are checked against its declaration). */
const domainsPlugin = validatePlugin(
  {
    name: 'test.domains',
    version: '1.0.0',
    description: 'test',
    requirements: [],
    tree: false,
    options: [],
    domainColumn: 'Name',
    columns: [
      { name: 'PID', type: 'int' },
      { name: 'Name', type: 'str' },
    ],
    run: async function* () {},
  },
  'domains.mjs',
);

let dir: string;
let image: string;
let pluginDir: string;
let list: string;

/** memscope from source (no build needed), asynchronously: the mock answers from this process meanwhile. */
async function memscope(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-f', image, '--plugin-dir', pluginDir, ...args], {
    cwd: ROOT,
    env: { ...process.env, MEMSCOPE_UMBRELLA_KEY: '', XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'no-config'), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const [code] = (await once(child, 'close')) as [number];
  return { code, stdout, stderr };
}

const jsonl = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('memscope --enrich (CLI from source, a third-party plugin with a domain column)', () => {
  const umbrella = startUmbrellaMock((r) =>
    r.headers.authorization === `Bearer ${KEY}`
      ? { body: categorization(JSON.parse(r.body) as string[], { 'www.evil.example': { status: -1, security: ['Malware'], content: ['Hacking'] } }) }
      : { status: 401, body: { errorMessage: 'bad key' } },
  );

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'memscope-cli-enrich-'));
    image = join(dir, 'zero.raw');
    writeFileSync(image, new Uint8Array(1024 * 1024));
    pluginDir = join(dir, 'plugins');
    mkdirSync(pluginDir);
    writeFileSync(join(pluginDir, 'domains.mjs'), PLUGINS);
    list = join(dir, 'blocklist.txt');
    writeFileSync(list, '# test list\nevil.example malware\ngood.example allowlist\nnot a domain line\n');
  });
  after(async () => (await umbrella).close());

  it('list:FILE appends Verdict, Categories, Matched and Enrichment source in every renderer; skipped list lines are said', async () => {
    const r = await memscope(['-r', 'jsonl', '--enrich', `list:${list}`, 'test.domains']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonl(r.stdout), [
      {
        TreeDepth: 0,
        PID: 4,
        Name: 'www.Evil.example.',
        Verdict: 'malicious',
        Categories: 'malware',
        Matched: 'evil.example',
        'Enrichment source': 'list:blocklist.txt',
      },
      { TreeDepth: 0, PID: 5, Name: null, Verdict: null, Categories: null, Matched: null, 'Enrichment source': null },
      {
        TreeDepth: 0,
        PID: 6,
        Name: 'good.example',
        Verdict: 'benign',
        Categories: 'allowlist',
        Matched: 'good.example',
        'Enrichment source': 'list:blocklist.txt',
      },
      { TreeDepth: 0, PID: 7, Name: 'new.example', Verdict: 'unknown', Categories: '', Matched: null, 'Enrichment source': 'list:blocklist.txt' },
    ]);
    assert.equal(r.stderr, 'memscope: warning: list:blocklist.txt: 1 lines hold no domain name and were skipped (the first: line 4)\n');
    const csv = await memscope(['-r', 'csv', '--enrich', `list:${list}`, 'test.domains']);
    assert.equal(csv.stdout.split('\r\n')[0], 'TreeDepth,PID,Name,Verdict,Categories,Matched,Enrichment source');
    assert.equal(csv.stdout.split('\r\n')[1], '0,4,www.Evil.example.,malicious,malware,evil.example,list:blocklist.txt');
    const table = await memscope(['--enrich', `list:${list}`, 'test.domains']);
    assert.match(table.stdout, /^PID\s+Name\s+Verdict\s+Categories\s+Matched\s+Enrichment source$/m);
    assert.match(table.stdout, /^4\s+www\.Evil\.example\.\s+malicious\s+malware\s+evil\.example\s+list:blocklist\.txt$/m);
  });

  it('umbrella asks the configured service with the key from MEMSCOPE_UMBRELLA_KEY or the config file, which never shows', async () => {
    const mock = await umbrella;
    const before = mock.requests.length;
    const r = await memscope(['-r', 'jsonl', '--enrich', 'umbrella', '--enrich-url', mock.url, 'test.domains'], {
      MEMSCOPE_UMBRELLA_KEY: `${KEY}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(
      jsonl(r.stdout).map((row) => [row['PID'], row['Verdict'], row['Categories'], row['Matched'], row['Enrichment source']]),
      [
        [4, 'malicious', 'Malware, Hacking', 'www.evil.example', 'umbrella'],
        [5, null, null, null, null],
        [6, 'unknown', '', 'good.example', 'umbrella'],
        [7, 'unknown', '', 'new.example', 'umbrella'],
      ],
    );
    assert.deepEqual(
      mock.requests.slice(before).map((q) => JSON.parse(q.body) as string[]),
      [['www.evil.example', 'good.example', 'new.example']],
    );
    // The config file's key and base URL, with --metadata: the key is in no output.
    const config = join(dir, 'config');
    mkdirSync(join(config, 'memscope'), { recursive: true });
    writeFileSync(join(config, 'memscope', 'config.json'), JSON.stringify({ umbrella: { key: KEY, baseUrl: mock.url } }));
    const fromFile = await memscope(['-r', 'json', '--metadata', '--enrich', 'umbrella', 'test.domains'], { XDG_CONFIG_HOME: config });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal((JSON.parse(fromFile.stdout) as { rows: Record<string, unknown>[] }).rows[0]!['Verdict'], 'malicious');
    assert.ok(!fromFile.stdout.includes(KEY) && !fromFile.stderr.includes(KEY));
    // Off unless asked: the configured service gets no request, the rows no columns.
    const count = mock.requests.length;
    const off = await memscope(['-r', 'jsonl', 'test.domains'], { XDG_CONFIG_HOME: config, MEMSCOPE_UMBRELLA_KEY: KEY });
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(Object.keys(jsonl(off.stdout)[0]!), ['TreeDepth', 'PID', 'Name']);
    assert.equal(mock.requests.length, count);
  });

  it('a provider failure: the rows without enrichment, one warning line saying why (and where the key came from), exit 0', async () => {
    const mock = await umbrella;
    const r = await memscope(['-r', 'jsonl', '--enrich', 'umbrella', '--enrich-url', mock.url, 'test.domains'], {
      MEMSCOPE_UMBRELLA_KEY: 'wrong-key',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      jsonl(r.stdout).map((row) => [row['PID'], row['Verdict'], row['Enrichment source']]),
      [
        [4, null, null],
        [5, null, null],
        [6, null, null],
        [7, null, null],
      ],
    );
    assert.equal(
      r.stderr,
      'memscope: warning: enrichment failed, the rows are without it: umbrella: the API key was refused (HTTP 401): it is wrong, expired, or lacks Investigate access (the key from MEMSCOPE_UMBRELLA_KEY)\n',
    );
    assert.ok(!r.stderr.includes('wrong-key'));
  });

  it('what cannot work is a usage error before the run (exit 2, one line): no domain column, no key, a config file that is not JSON', async () => {
    const config = join(dir, 'broken-config');
    mkdirSync(join(config, 'memscope'), { recursive: true });
    writeFileSync(join(config, 'memscope', 'config.json'), `{"umbrella": {"key": "${KEY}",}}`);
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['--enrich', `list:${list}`, 'test.nodomains'],
        {},
        new RegExp(
          `^memscope: --enrich: test\\.nodomains has no column of domain names to enrich \\(plugins with one: ${[
            ...builtinPlugins.filter((p) => p.domainColumn !== undefined).map((p) => p.name),
            'test.domains',
          ]
            .join(', ')
            .replace(/\./g, '\\.')}\\)$`,
        ),
      ],
      [
        ['--enrich', 'umbrella', 'test.domains'],
        {},
        /^memscope: --enrich umbrella needs an Umbrella Investigate API key: set MEMSCOPE_UMBRELLA_KEY, or write .* to .*no-config\/memscope\/config\.json$/,
      ],
      [
        ['--enrich', 'umbrella', 'test.domains'],
        { XDG_CONFIG_HOME: config },
        /^memscope: .*broken-config\/memscope\/config\.json: the config file is not valid JSON$/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const r = await memscope(['-r', 'jsonl', ...args], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.ok(!r.stderr.includes(KEY), r.stderr);
    }
  });

  it('--enrich and --enrich-url are checked with the command line; a list that cannot be read is a usage error', async () => {
    const plugins = [...builtinPlugins, domainsPlugin];
    const parse = (...args: string[]) => parseCli(['-f', image, ...args, 'test.domains'], plugins);
    const usage = (args: string[], message: RegExp) =>
      assert.throws(
        () => parse(...args),
        (e: unknown) => isMemscopeError(e) && e.code === 'BAD_REQUEST' && message.test(e.message),
      );
    usage(['--enrich', 'virustotal'], /^--enrich: "virustotal" is neither umbrella nor list:FILE$/);
    usage(['--enrich', 'list:'], /is neither umbrella nor list:FILE/);
    usage(['--enrich-url', 'https://investigate.example'], /^--enrich-url is for --enrich umbrella$/);
    usage(['--enrich', `list:${list}`, '--enrich-url', 'https://investigate.example'], /^--enrich-url is for --enrich umbrella, not a list$/);
    for (const url of ['http://investigate.example', 'ftp://127.0.0.1', 'https://x.example/?key=1', 'not a url'])
      usage(['--enrich', 'umbrella', '--enrich-url', url], /is not an https URL \(http only to localhost\)/);
    const ok = parse('--enrich', 'umbrella', '--enrich-url', 'http://127.0.0.1:8080/api/');
    assert.deepEqual(ok.kind === 'run' && ok.enrich, { request: { kind: 'umbrella', baseUrl: 'http://127.0.0.1:8080/api' }, domainColumn: 'Name' });
    await rejectsWith(
      openEnrichment({ kind: 'list', file: join(dir, 'missing.txt') }),
      'BAD_REQUEST',
      'missing.txt: --enrich list: the domain list cannot be read (ENOENT)',
    );
  });

  it('a third-party declaration whose domainColumn is not one of its text columns is refused', () => {
    const declaration = (domainColumn: string) => ({ ...domainsPlugin, domainColumn });
    assert.equal(validatePlugin(declaration('Name'), 'x.mjs').domainColumn, 'Name');
    for (const bad of ['PID', 'Host'])
      assert.throws(
        () => validatePlugin(declaration(bad), 'x.mjs'),
        (e: unknown) => isMemscopeError(e) && /domainColumn must name one of the str columns/.test(e.message),
      );
  });
});
