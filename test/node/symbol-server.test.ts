/**
 * `--symbol-server URL`: a missing PDB is fetched once from a symbol server in Microsoft's layout (a local HTTP
 * server here, serving the real MSVC PDBs of the test data), kept in the cache and checked to be the table asked
 * for; a 404, a file for another build and an unreachable server are said and leave the table missing; without the
 * flag nothing is requested.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { SymbolServerStore } from '../../src/node/symbol-server-store.ts';
import { loadSymbolFile } from '../../src/symbols/symbol-store.ts';
import { pdbKey, type PdbIdentity } from '../../src/symbols/symbol-table.ts';
import { writeWindowsImage } from '../fixtures/windows/generate.ts';
import { needTestData } from '../helpers/need-test-data.ts';
import { testDataPath } from '../helpers/test-data.ts';

const skip = needTestData('fixtures/pdb');
const ROOT = join(import.meta.dirname, '..', '..');

/** A symbol server whose `files` answer for their path; every request is recorded. */
async function symbolServer(
  files: ReadonlyMap<string, Uint8Array>,
  fallback?: Uint8Array,
): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '') ?? fallback;
    res.writeHead(body ? 200 : 404, { 'content-length': body?.length ?? 0 }).end(body && Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/download/symbols`, requests };
}

const serverPath = (p: PdbIdentity) => `/download/symbols/${p.pdbName}/${p.guid}${p.age.toString(16).toUpperCase()}/${p.pdbName}`;

describe('symbol server', { skip }, () => {
  let pdb: Uint8Array;
  let identity: PdbIdentity;

  before(async () => {
    pdb = new Uint8Array(readFileSync(testDataPath('fixtures', 'pdb', 'crash.pdb')));
    const table = await loadSymbolFile(pdb, 'crash.pdb');
    assert.equal(table.identity?.kind, 'pdb');
    identity = table.identity as PdbIdentity;
  });

  it('fetches a missing PDB once, keeps it, and serves it from the cache afterwards', async () => {
    const { server, url, requests } = await symbolServer(new Map([[serverPath(identity), pdb]]));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'memscope-symsrv-'));
      const said: string[] = [];
      const store = new SymbolServerStore(new URL(url), dir, (l) => said.push(l));
      const key = pdbKey(identity.pdbName, identity.guid, identity.age);
      const table = await store.get(key);
      assert.deepEqual(table?.identity, identity);
      assert.deepEqual(requests, [serverPath(identity)]);
      assert.deepEqual(said, [`downloading ${identity.pdbName} ${identity.guid} age ${identity.age} from ${new URL(url).origin} (--symbol-server)`]);
      assert.ok(existsSync(join(dir, 'windows', identity.pdbName, `${identity.guid}-${identity.age}.pdb`)));
      assert.deepEqual((await store.get(key))?.identity, identity);
      assert.deepEqual((await new SymbolServerStore(new URL(url), dir, (l) => said.push(l)).get(key))?.identity, identity);
      assert.equal(requests.length, 1, 'one download, then the kept file');
      assert.equal(await store.get('linux/Linux version 6.1.0'), undefined, 'only PDBs are fetched');
      assert.equal(requests.length, 1);
    } finally {
      server.close();
    }
  });

  it('a 404, a file for another build and an unreachable server are said; the table stays missing', async () => {
    const other: PdbIdentity = { ...identity, guid: '0123456789ABCDEF0123456789ABCDEF' };
    const dir = mkdtempSync(join(tmpdir(), 'memscope-symsrv-'));
    const said: string[] = [];
    const empty = await symbolServer(new Map());
    try {
      assert.equal(
        await new SymbolServerStore(new URL(empty.url), dir, (l) => said.push(l)).get(pdbKey(other.pdbName, other.guid, other.age)),
        undefined,
      );
      assert.match(
        said.at(-1)!,
        /^symbol server: HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/download\/symbols\/crash\.pdb\/0123456789ABCDEF0123456789ABCDEF1\/crash\.pdb/,
      );
    } finally {
      empty.server.close();
    }
    const wrong = await symbolServer(new Map(), pdb);
    try {
      assert.equal(
        await new SymbolServerStore(new URL(wrong.url), dir, (l) => said.push(l)).get(pdbKey(other.pdbName, other.guid, other.age)),
        undefined,
      );
      assert.match(said.at(-1)!, /is not its symbol table .*; deleted$/);
      assert.ok(!existsSync(join(dir, 'windows', other.pdbName, `${other.guid}-${other.age}.pdb`)));
    } finally {
      wrong.server.close();
    }
    const closed = await symbolServer(new Map());
    await new Promise((resolve) => closed.server.close(resolve));
    assert.equal(
      await new SymbolServerStore(new URL(closed.url), dir, (l) => said.push(l)).get(pdbKey(other.pdbName, other.guid, other.age)),
      undefined,
    );
    assert.match(said.at(-1)!, /could not be reached \(ECONNREFUSED\); memscope works without it/);
  });

  it('the CLI asks the server only with --symbol-server, and says what it got', async () => {
    const out = mkdtempSync(join(tmpdir(), 'memscope-symsrv-cli-'));
    const image = await writeWindowsImage(out, { size: 16 * 1024 * 1024, seed: 3 });
    const { server, url, requests } = await symbolServer(new Map());
    try {
      const cli = (...args: string[]) => run(['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--no-cache', '-f', image.imagePath, ...args]);
      const without = await cli('windows.handles');
      assert.equal(without.code, 1);
      assert.deepEqual(requests, []);
      const withServer = await cli('--symbol-server', url, 'windows.handles');
      assert.equal(withServer.code, 1);
      const { guid, age } = image.expected.kernel.pdb;
      assert.deepEqual(requests, [`/download/symbols/ntkrnlmp.pdb/${guid}${age.toString(16).toUpperCase()}/ntkrnlmp.pdb`]);
      assert.match(
        withServer.stderr,
        new RegExp(`memscope: downloading ntkrnlmp.pdb ${guid} age ${age} from http://127.0.0.1:\\d+ \\(--symbol-server\\)`),
      );
      assert.match(withServer.stderr, /memscope: symbol server: HTTP 404 for /);
      assert.match(withServer.stderr, /Symbols needed: ntkrnlmp\.pdb/);
      const bad = await cli('--symbol-server', 'ftp://example.org/symbols', 'windows.pslist');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--symbol-server: ftp:\/\/example\.org\/symbols is not an http\(s\) URL/);
    } finally {
      server.close();
    }
  });
});

/** The CLI as a child process, asynchronously (the test's HTTP server answers meanwhile), with its own cache. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'memscope-cache-')) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
