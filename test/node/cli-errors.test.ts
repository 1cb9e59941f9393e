import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { reportFailure } from '../../src/cli/report-failure.ts';
import { imageFingerprint } from '../../src/engine/image-fingerprint.ts';
import { MemscopeError } from '../../src/errors.ts';
import { DirectoryKeyValueCache } from '../../src/node/directory-kv-cache.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What reportFailure writes and returns. */
function report(e: unknown, debug = false): { status: number; stderr: string } {
  let stderr = '';
  const status = reportFailure(e, debug, { write: (text: string) => (stderr += text) });
  return { status, stderr };
}

const INTERNAL_LINE = /^memscope: internal error: (.*) — this is a bug in memscope, please report it \((.*)\)$/;

describe('CLI failure reports', () => {
  it('an error that is not a MemscopeError: one line saying it is a bug, status 3, the stack only with --debug', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'size')");
    const plain = report(bug);
    assert.equal(plain.status, 3);
    assert.deepEqual(plain.stderr.split('\n'), [
      `memscope: internal error: ${bug.message} — this is a bug in memscope, please report it (run with --debug for the stack)`,
      '',
    ]);
    const debug = report(bug, true);
    assert.equal(debug.status, 3);
    const [line, ...rest] = debug.stderr.trimEnd().split('\n');
    assert.match(line!, INTERNAL_LINE);
    assert.equal(rest.join('\n'), bug.stack);
  });

  it('data errors keep status 1 and a bad command line 2, one line each, never called a bug', () => {
    const corrupt = report(new MemscopeError('CORRUPT', 'bad page table\nmore about it', 'x.raw'), true);
    assert.deepEqual(corrupt, { status: 1, stderr: 'memscope: x.raw: bad page table more about it\n' });
    assert.deepEqual(report(new MemscopeError('BAD_REQUEST', 'no image given')), { status: 2, stderr: 'memscope: no image given\n' });
  });
});

describe('memscope CLI from source: an internal error', () => {
  let image: string;
  let cacheHome: string;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-cli-internal-'));
    image = join(dir, 'noise.raw');
    writeFileSync(image, randomBytes(2 * 1024 * 1024));
    cacheHome = join(dir, 'cache');
    // A discovery cache entry whose kernel base is no address: memscope trusts its own cache's field types, so
    // confirming the entry throws a SyntaxError from BigInt — a real bug path, reached with no test hook.
    const source = await NodeFileSource.open(image);
    const key = `windows/v3/${await imageFingerprint(source)}`;
    await source.close();
    const discovery = {
      dtb: 0x1000,
      kernelBase: 'not-an-address',
      pdb: { pdbName: 'ntkrnlmp.pdb', guid: '0'.repeat(32), age: 1 },
      method: 'low-stub',
    };
    await new DirectoryKeyValueCache(join(cacheHome, 'memscope', 'discovery')).set(key, { discovery });
  });

  function memscope(...args: string[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
    return { code: r.status, stderr: r.stderr };
  }

  it('is one line on stderr saying it is a bug, with exit status 3', () => {
    const r = memscope('-f', image, 'windows.pslist');
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    const [, message, more] = r.stderr.trimEnd().match(INTERNAL_LINE) ?? [];
    assert.match(message!, /not-an-address/);
    assert.equal(more, 'run with --debug for the stack');
  });

  it('--debug adds the stack', () => {
    const r = memscope('-f', image, '--debug', 'windows.pslist');
    assert.equal(r.code, 3, r.stderr);
    const [line, ...stack] = r.stderr.trimEnd().split('\n');
    assert.match(line!, INTERNAL_LINE);
    assert.match(stack[0]!, /^SyntaxError: .*not-an-address/);
    assert.ok(
      stack.some((l) => /^\s+at .*session\.ts/.test(l)),
      stack.join('\n'),
    );
  });
});
