import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { NetworkHost } from '../../src/enrich/network-host.ts';
import { isEnrichError, type EnrichError, type EnrichErrorKind } from '../../src/enrich/provider.ts';
import { UmbrellaProvider, type UmbrellaOptions } from '../../src/enrich/umbrella.ts';
import { webNetworkHost } from '../../src/node/web-network-host.ts';
import { categorization, startUmbrellaMock } from '../helpers/umbrella-mock.ts';

const KEY = 'k3y-4f1c9e-SECRET-0042';

/** The real fetch, with waits recorded instead of slept and a fixed clock: retries take no time. */
function fastHost(): NetworkHost & { waits: number[] } {
  const waits: number[] = [];
  return { ...webNetworkHost(), sleep: async (ms) => void waits.push(ms), now: () => Date.parse('2026-01-01T00:00:00Z'), waits };
}

function provider(baseUrl: string, host: NetworkHost, more: Partial<UmbrellaOptions> = {}): UmbrellaProvider {
  return new UmbrellaProvider({ key: KEY, baseUrl, host, ...more });
}

/** The EnrichError `promise` rejects with, checked to be of `kind` and to carry no trace of the key. */
async function failure(promise: Promise<unknown>, kind: EnrichErrorKind): Promise<EnrichError> {
  const e = await promise.then(
    () => assert.fail('expected an EnrichError'),
    (e: unknown) => e,
  );
  assert.ok(isEnrichError(e), String(e));
  assert.equal(e.kind, kind, e.message);
  assert.equal(e.provider, 'umbrella');
  for (const text of [e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 5 })])
    assert.ok(!text.includes(KEY), `the key leaks: ${text}`);
  return e;
}

describe('Umbrella Investigate provider (against a local mock on 127.0.0.1)', () => {
  it('POSTs a JSON array of the names (lower-case, once each) to /domains/categorization/?showLabels with the Bearer key; maps 1 / 0 / -1', async () => {
    const mock = await startUmbrellaMock((r) => ({
      body: categorization(JSON.parse(r.body) as string[], {
        'evil.example': { status: -1, security: ['Malware', 'Command and Control'], content: ['Hacking'] },
        'good.example': { status: 1, content: ['Search Engines'] },
      }),
    }));
    try {
      const verdicts = await provider(mock.url, fastHost()).lookup(['Evil.Example', 'good.example.', 'evil.example', 'new.example']);
      assert.equal(mock.requests.length, 1);
      const [request] = mock.requests;
      assert.equal(request!.method, 'POST');
      assert.equal(request!.url, '/domains/categorization/?showLabels');
      assert.equal(request!.headers.authorization, `Bearer ${KEY}`);
      assert.match(request!.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(JSON.parse(request!.body), ['evil.example', 'good.example', 'new.example']);
      assert.deepEqual(Object.fromEntries(verdicts), {
        'evil.example': {
          verdict: 'malicious',
          security: ['Malware', 'Command and Control'],
          content: ['Hacking'],
          matched: 'evil.example',
          source: 'umbrella',
        },
        'good.example': { verdict: 'benign', security: [], content: ['Search Engines'], matched: 'good.example', source: 'umbrella' },
        'new.example': { verdict: 'unknown', security: [], content: [], matched: 'new.example', source: 'umbrella' },
      });
      assert.ok(!inspect(provider(mock.url, fastHost()), { depth: 5 }).includes(KEY), 'the key is not shown by inspecting the provider');
      assert.ok(!JSON.stringify(provider(mock.url, fastHost())).includes(KEY));
    } finally {
      await mock.close();
    }
  });

  it('sends at most batchSize names per request, one request at a time, and merges the answers; a base path is kept', async () => {
    let inFlight = 0;
    let most = 0;
    const mock = await startUmbrellaMock(() => ((inFlight = 0), {}));
    try {
      const host = fastHost();
      const counting: NetworkHost = {
        ...host,
        post: async (url, request) => {
          most = Math.max(most, ++inFlight);
          return host.post(url, request);
        },
      };
      const names = Array.from({ length: 7 }, (_, i) => `host${i}.example`);
      const verdicts = await provider(`${mock.url}/investigate/v2/`, counting, { batchSize: 3 }).lookup(names);
      assert.deepEqual(
        mock.requests.map((r) => JSON.parse(r.body) as string[]),
        [names.slice(0, 3), names.slice(3, 6), names.slice(6)],
      );
      assert.ok(mock.requests.every((r) => r.url === '/investigate/v2/domains/categorization/?showLabels'));
      assert.equal(most, 1);
      assert.deepEqual([...verdicts.keys()], names);
    } finally {
      await mock.close();
    }
  });

  it('401 and 403: the key was refused — said without the key', async () => {
    for (const status of [401, 403]) {
      const mock = await startUmbrellaMock(() => ({ status, body: { errorMessage: 'Invalid authentication credentials' } }));
      try {
        const e = await failure(provider(mock.url, fastHost()).lookup(['a.example']), 'key-rejected');
        assert.match(e.message, new RegExp(`^umbrella: the API key was refused \\(HTTP ${status}\\)`));
        assert.equal(mock.requests.length, 1, 'not retried');
      } finally {
        await mock.close();
      }
    }
  });

  it('429 with Retry-After: waits as asked (seconds or a date), then goes on', async () => {
    const mock = await startUmbrellaMock((_, i) =>
      i === 0
        ? { status: 429, headers: { 'Retry-After': '2' }, body: '' }
        : i === 1
          ? { status: 429, headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }, body: '' }
          : {},
    );
    try {
      const host = fastHost();
      const verdicts = await provider(mock.url, host).lookup(['a.example']);
      assert.equal(verdicts.get('a.example')?.verdict, 'unknown');
      assert.deepEqual(host.waits, [2000, 5000]);
      assert.equal(mock.requests.length, 3);
    } finally {
      await mock.close();
    }
  });

  it('429 every time: a rate-limit error after the bounded retries (backing off 1, 2, 4 s without Retry-After)', async () => {
    const mock = await startUmbrellaMock(() => ({ status: 429, body: '' }));
    try {
      const host = fastHost();
      const e = await failure(provider(mock.url, host, { maxRetries: 3 }).lookup(['a.example']), 'rate-limited');
      assert.match(e.message, /still rate limited \(HTTP 429\) after 3 retries over 7 s/);
      assert.deepEqual(host.waits, [1000, 2000, 4000]);
      assert.equal(mock.requests.length, 4);
    } finally {
      await mock.close();
    }
  });

  it('429 asking to wait longer than memscope waits: gives up at once', async () => {
    const mock = await startUmbrellaMock(() => ({ status: 429, headers: { 'Retry-After': '3600' }, body: '' }));
    try {
      const host = fastHost();
      const e = await failure(provider(mock.url, host, { maxWaitMs: 60_000 }).lookup(['a.example']), 'rate-limited');
      assert.match(e.message, /asks to wait 3600 s, more than memscope waits \(60 s\)/);
      assert.deepEqual(host.waits, []);
    } finally {
      await mock.close();
    }
  });

  it('a body that is not the categorization JSON, or another status: bad-response', async () => {
    const answers = [
      { body: '<html>captive portal</html>' },
      { body: '[1, 2]' },
      { body: { 'a.example': { status: 7 } } },
      { body: { 'a.example': { status: 1, security_categories: 'Malware' } } },
      { status: 500, body: { error: 'boom' } },
    ];
    for (const answer of answers) {
      const mock = await startUmbrellaMock(() => answer);
      try {
        const e = await failure(provider(mock.url, fastHost()).lookup(['a.example']), 'bad-response');
        assert.match(e.message, answer.status === 500 ? /answered HTTP 500/ : /not (JSON|a JSON object|\{ status)/, JSON.stringify(answer));
      } finally {
        await mock.close();
      }
    }
  });

  it('nothing listening: offline, naming the origin and the reason', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const e = await failure(provider(`http://127.0.0.1:${port}`, fastHost()).lookup(['a.example']), 'offline');
    assert.equal(e.message, `umbrella: http://127.0.0.1:${port} could not be reached (ECONNREFUSED): offline, or a proxy or firewall blocks it`);
  });

  it('no answer in time: offline, saying how long it waited', async () => {
    const mock = await startUmbrellaMock(() => ({ hang: true }));
    try {
      const e = await failure(provider(mock.url, fastHost(), { timeoutMs: 300 }).lookup(['a.example']), 'offline');
      assert.match(e.message, /no answer from http:\/\/127\.0\.0\.1:\d+ within 0\.3 s/);
    } finally {
      await mock.close();
    }
  });

  it('a key with a line break or space is refused before any request, without quoting it', () => {
    for (const key of [`${KEY}\n`, `Bearer ${KEY}`, '']) {
      assert.throws(
        () => new UmbrellaProvider({ key, baseUrl: 'http://127.0.0.1:9', host: fastHost() }),
        (e: unknown) => isEnrichError(e) && e.kind === 'key-rejected' && !e.message.includes(KEY),
      );
    }
  });
});
