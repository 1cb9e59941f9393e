/**
 * The enrichment API's address as the page puts it in its lookup frame's Content-Security-Policy (apiOrigin): the
 * scheme, host and port of an https URL (http to this machine only), nothing else — text that would add a source
 * or a directive to the policy, a path, a user name, or plain http elsewhere is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiOrigin } from '../../src/enrich/api-url.ts';
import { isMemscopeError } from '../../src/errors.ts';

describe('apiOrigin: the one origin a lookup frame may reach', () => {
  it('is the scheme, host and port of the base URL, without its path', () => {
    assert.equal(apiOrigin('https://investigate.api.umbrella.com'), 'https://investigate.api.umbrella.com');
    assert.equal(apiOrigin('https://proxy.example:8443/umbrella/'), 'https://proxy.example:8443');
    assert.equal(apiOrigin('HTTPS://Proxy.Example:443/x'), 'https://proxy.example');
    assert.equal(apiOrigin('http://127.0.0.1:8080/api'), 'http://127.0.0.1:8080');
    assert.equal(apiOrigin('http://localhost:3000'), 'http://localhost:3000');
    // A path is no part of it, whatever it holds.
    assert.equal(apiOrigin("https://a.example/'unsafe-inline'; script-src"), 'https://a.example');
  });

  it('refuses what is not a base URL a key may be sent to, so nothing else can reach the policy', () => {
    for (const text of [
      'https://a.example; connect-src *',
      'https://a.example https://b.example',
      'http://evil.example',
      'https://user@a.example',
      'https://a.example/?q=1',
      'data:text/plain,x',
      '',
    ])
      assert.throws(
        () => apiOrigin(text),
        (e: unknown) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
        text,
      );
  });
});
