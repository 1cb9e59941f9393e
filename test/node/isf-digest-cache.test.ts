import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { DirectorySymbolStore } from '../../src/node/directory-symbol-store.ts';
import { IsfDigestCache } from '../../src/node/isf-digest-cache.ts';
import { DigestedIsf, emptyDigest, type IsfDigest } from '../../src/symbols/isf-digest.ts';
import { loadIsf, parseIsfJson } from '../../src/symbols/isf-table.ts';
import { symbolFileText } from '../../src/symbols/symbol-file-text.ts';
import type { SymbolTable } from '../../src/symbols/symbol-table.ts';
import { DEFAULT_ISF_PATH } from '../fixtures/windows/isf.ts';
import { processRow } from '../helpers/windows-process-rows.ts';
import { collect, hexBig, windowsImage } from '../helpers/windows-session.ts';

const KEY = 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1';
const ISF_NAME = '606FF669409B00F7FC8C61A9C1670129-1.json.xz';

/** What a plugin asks of the kernel's table: present and absent names of every kind. */
function lookups(table: SymbolTable): unknown {
  return {
    eprocess: table.struct('_EPROCESS'),
    listEntry: table.struct('_LIST_ENTRY'),
    pointer: table.baseType('pointer'),
    head: table.symbol('PsActiveProcessHead'),
    missingStruct: table.struct('_NOT_A_TYPE'),
    missingSymbol: table.symbol('NotASymbol'),
  };
}

describe('the ISF digest cache', () => {
  let root: string;
  let symbols: string;
  let isfPath: string;
  let truth: SymbolTable;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'memscope-isf-digest-'));
    symbols = join(root, 'symbols');
    await mkdir(join(symbols, 'windows', 'ntkrnlmp.pdb'), { recursive: true });
    isfPath = join(symbols, 'windows', 'ntkrnlmp.pdb', ISF_NAME);
    await copyFile(DEFAULT_ISF_PATH, isfPath);
    truth = await loadIsf(readFileSync(isfPath), isfPath);
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** One CLI-like run: a store over the symbols folder and a digest cache in `dir`, closed at the end. */
  async function run(dir: string, version?: string): Promise<{ cache: IsfDigestCache; answers: unknown }> {
    const cache = new IsfDigestCache(dir, () => assert.fail('the cache could not be written'), version);
    const store = new DirectorySymbolStore(symbols, cache);
    const table = await store.get(KEY);
    assert.ok(table);
    const answers = lookups(table);
    await store.close();
    return { cache, answers };
  }

  const stampOf = (): Promise<{ size: number; mtimeMs: number }> => stat(isfPath);

  it('a second run answers from the digest as the whole file does', async () => {
    const dir = join(root, 'fresh');
    assert.deepEqual((await run(dir)).answers, lookups(truth));
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 2, `a digest and the decompressed file: ${files.join(', ')}`);
    const { cache, answers } = await run(dir);
    assert.deepEqual(answers, lookups(truth));
    assert.ok(await cache.table(isfPath, await stampOf(), KEY), 'the digest matches the file');
  });

  it('is ignored when the symbol file or the memscope version differs', async () => {
    const dir = join(root, 'stale');
    await run(dir, 'version-a');
    const cache = new IsfDigestCache(dir, undefined, 'version-a');
    const stamp = await stampOf();
    assert.ok(await cache.table(isfPath, stamp, KEY));
    assert.equal(await new IsfDigestCache(dir, undefined, 'version-b').table(isfPath, stamp, KEY), undefined);
    assert.equal(await cache.table(isfPath, { ...stamp, size: stamp.size + 1 }, KEY), undefined);
    const touched = new Date(stamp.mtimeMs + 5000);
    await utimes(isfPath, touched, touched);
    assert.equal(await cache.table(isfPath, await stampOf(), KEY), undefined);
    assert.deepEqual((await run(dir, 'version-a')).answers, lookups(truth), 'read whole again');
  });

  it('a corrupt digest is a miss: the file is read whole and the answers stay right', async () => {
    const dir = join(root, 'corrupt');
    await run(dir);
    const digestFile = (await readdir(dir)).find((f) => !f.endsWith('.full.json'))!;
    for (const garbage of ['{"version": tru', JSON.stringify({ digest: { entries: 7 } }), '\u0000\u0001']) {
      await writeFile(join(dir, digestFile), garbage);
      assert.equal(await new IsfDigestCache(dir).table(isfPath, await stampOf(), KEY), undefined);
      assert.deepEqual((await run(dir)).answers, lookups(truth));
    }
  });

  it('a damaged decompressed copy fails the lookup that needs it clearly, and is removed so the next run rebuilds it', async () => {
    const dir = join(root, 'damaged');
    await run(dir);
    const full = (await readdir(dir)).find((f) => f.endsWith('.full.json'))!;
    await writeFile(join(dir, full), '{ cut sho');
    const table = await new IsfDigestCache(dir).table(isfPath, await stampOf(), KEY);
    assert.ok(table);
    assert.deepEqual(table.struct('_EPROCESS'), truth.struct('_EPROCESS'), 'the digest still answers what it holds');
    assert.throws(() => table.struct('_KTHREAD'), /cached copy .* was unreadable .* run again/);
    assert.deepEqual(await readdir(dir), []);
    assert.deepEqual((await run(dir)).answers, lookups(truth));
  });

  it('a name the digest lacks is read from the whole file once, and the digest grows by it', async () => {
    const json = parseIsfJson(await symbolFileText(readFileSync(isfPath), isfPath), isfPath);
    let fullReads = 0;
    const first = new DigestedIsf(emptyDigest(json), () => (fullReads++, json));
    const user = first.json.user_types as Record<string, unknown>;
    assert.ok(Object.hasOwn(user, '_EPROCESS'));
    assert.equal(Object.hasOwn(user, '_NOT_A_TYPE'), false);
    const digest: IsfDigest = JSON.parse(JSON.stringify(first.digest()));
    assert.deepEqual(Object.keys(digest.entries.user_types), ['_EPROCESS']);
    assert.deepEqual(digest.absent.user_types, ['_NOT_A_TYPE']);

    fullReads = 0;
    const second = new DigestedIsf(digest, () => (fullReads++, json));
    const again = second.json.user_types as Record<string, unknown>;
    assert.ok(Object.hasOwn(again, '_EPROCESS'));
    assert.equal(Object.hasOwn(again, '_NOT_A_TYPE'), false);
    assert.equal(fullReads, 0, 'known names, present or absent, need no whole file');
    assert.equal(second.grown, false);
    assert.ok(Object.hasOwn(again, '_LIST_ENTRY'));
    assert.equal(fullReads, 1);
    assert.equal(second.grown, true);
    assert.deepEqual(Object.keys(second.digest().entries.user_types).sort(), ['_EPROCESS', '_LIST_ENTRY']);
    assert.equal(
      Object.keys(second.json.symbols as object).length,
      Object.keys((json as { symbols: object }).symbols).length,
      'a listed section is kept whole',
    );
    assert.deepEqual(second.digest().whole, ['symbols']);
  });

  it("pslist on a generated image gives the generator's processes on a cold, a warm and a corrupt cache", async () => {
    const { image, expected } = await windowsImage();
    const cacheDir = join(root, 'session-cache');
    const linked = expected.processes.filter((p) => p.linked).map((p) => processRow(p, hexBig(p.eprocessVirtual)));
    const pslist = async (): Promise<unknown[]> => {
      const env = await createNodeEnv({ symbolDirs: [symbols], cache: true, cacheDir, scanWorkers: 0 });
      const session = await openSession(new MemorySource(image, 'generated.raw'), env);
      try {
        return (await collect(session, 'windows.pslist')).map((r) => r.values);
      } finally {
        await session.close();
        await env.symbols.close?.();
      }
    };
    assert.deepEqual(await pslist(), linked, 'cold');
    const digestDir = join(cacheDir, 'symbols-digest');
    assert.equal((await readdir(digestDir)).length, 2);
    assert.deepEqual(await pslist(), linked, 'warm');
    for (const f of await readdir(digestDir)) await writeFile(join(digestDir, f), '{ not json');
    assert.deepEqual(await pslist(), linked, 'corrupt');
  });
});
