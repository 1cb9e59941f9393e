import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js/lib/zip-core-custom.js';
import { MemorySource } from '../../src/io/memory-source.ts';
import { DirectorySymbolStore } from '../../src/node/directory-symbol-store.ts';
import { loadIsf } from '../../src/symbols/isf-table.ts';
import { pdbKey, type SymbolTable } from '../../src/symbols/symbol-table.ts';
import { isZipSignature, ZipSymbolPack } from '../../src/symbols/zip-symbol-pack.ts';
import { writeWindowsImage } from '../fixtures/windows/generate.ts';
import { DEFAULT_ISF_PATH } from '../fixtures/windows/isf.ts';
import { needTestData } from '../helpers/need-test-data.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { testDataPath } from '../helpers/test-data.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The 19041 kernel's ISF is in the repository; the other tables come from the external test data.
const SYMBOLS = testDataPath('symbols', 'windows');
const skip = needTestData('symbols/windows', ['xz']);
const KERNEL_19041 = { pdb: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 };
const KERNEL_17763 = { pdb: 'ntkrnlmp.pdb', guid: '2EA98876FE209B61954090E803113013', age: 1 };
const KERNEL_OTHER = { pdb: 'ntkrnlmp.pdb', guid: '0CE4A95C0CD782A7596B034D8648E585', age: 1 };
const TCPIP_19041 = { pdb: 'tcpip.pdb', guid: 'D85BA7EDFCAFAA23F22A88D7E2549D86', age: 1 };
const TCPIP_OTHER = { pdb: 'tcpip.pdb', guid: 'A2C360FA8130C2261A621E88AF6EBD19', age: 1 };
type Pdb = typeof KERNEL_19041;

const keyOf = (p: Pdb) => pdbKey(p.pdb, p.guid, p.age);
const looseFile = (p: Pdb) => (p === KERNEL_19041 ? DEFAULT_ISF_PATH : join(SYMBOLS, p.pdb, `${p.guid}-${p.age}.json.xz`));
const xzBytes = (p: Pdb) => new Uint8Array(readFileSync(looseFile(p)));
const jsonBytes = (p: Pdb) => new Uint8Array(execFileSync('xz', ['-dc', looseFile(p)], { maxBuffer: 64 << 20 }));

interface ZipEntrySpec {
  readonly name: string;
  readonly bytes?: Uint8Array;
  /** 0 = stored; default deflated. */
  readonly level?: number;
}

async function makeZip(entries: readonly ZipEntrySpec[]): Promise<Uint8Array> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
  for (const e of entries) {
    if (e.bytes) await writer.add(e.name, new Uint8ArrayReader(e.bytes), { level: e.level ?? 6 });
    else await writer.add(e.name, undefined, { directory: true });
  }
  return writer.close();
}

/** Where each entry's record and data sit, read from the central directory by hand. */
function layout(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = view.getUint16(eocd + 10, true);
  const directory = view.getUint32(eocd + 16, true);
  const entries = new Map<string, { record: number; local: number; data: number; compressedSize: number }>();
  for (let at = directory, i = 0; i < count; i++) {
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries.set(name, { record: at, local, data, compressedSize: view.getUint32(at + 20, true) });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { view, eocd, directory, entries };
}

/** Compares a table read from a pack with the one read from the loose file and with the JSON itself (xz -dc). */
function assertSameTable(got: SymbolTable, loose: SymbolTable, raw: Record<string, any>, label: string): void {
  assert.deepEqual(got.identity, loose.identity, label);
  const pdb = raw.metadata.windows.pdb;
  assert.deepEqual(got.identity, { kind: 'pdb', pdbName: pdb.database, guid: pdb.GUID, age: pdb.age }, label);
  assert.equal(got.pointerSize, loose.pointerSize, label);
  const structs = Object.keys(raw.user_types).filter((_, i) => i % 97 === 0);
  for (const name of [...structs, ...['_EPROCESS', '_KPROCESS', '_LIST_ENTRY'].filter((n) => n in raw.user_types)]) {
    const s = got.struct(name)!;
    assert.equal(s.size, raw.user_types[name].size, `${label} ${name}`);
    assert.deepEqual(s, loose.struct(name), `${label} ${name}`);
    for (const [field, info] of s.fields) assert.equal(info.offset, raw.user_types[name].fields[field].offset, `${label} ${name}.${field}`);
  }
  const symbols = Object.keys(raw.symbols).filter((_, i) => i % 53 === 0);
  assert.ok(symbols.length > 3, label);
  for (const name of symbols) {
    assert.equal(got.symbol(name), BigInt(raw.symbols[name].address), `${label} ${name}`);
    assert.equal(got.symbol(name), loose.symbol(name), `${label} ${name}`);
  }
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'memscope-zip-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('ZipSymbolPack', { skip }, () => {
  const misnamed = { ...TCPIP_19041, guid: 'F'.repeat(32) };
  let pack: ZipSymbolPack;
  before(async () => {
    const zip = await makeZip([
      { name: 'windows/' },
      { name: 'windows/ntkrnlmp.pdb/' },
      { name: `windows/ntkrnlmp.pdb/${KERNEL_19041.guid}-1.json.xz`, bytes: xzBytes(KERNEL_19041), level: 0 },
      { name: `ntkrnlmp.pdb/${KERNEL_17763.guid}-1.json.xz`, bytes: xzBytes(KERNEL_17763) },
      // A zipped symbols folder: nested prefix, other case, plain JSON.
      { name: `Symbols/Windows/TCPIP.PDB/${TCPIP_OTHER.guid.toLowerCase()}-1.JSON`, bytes: jsonBytes(TCPIP_OTHER) },
      // Both compressions of one table: the plain JSON wins, as in Volatility.
      { name: `windows/tcpip.pdb/${TCPIP_19041.guid}-1.json.xz`, bytes: xzBytes(TCPIP_19041), level: 0 },
      { name: `windows/tcpip.pdb/${TCPIP_19041.guid}-1.json`, bytes: jsonBytes(TCPIP_19041) },
      // Decoys: not under windows/, not an ISF name, not a table.
      { name: `linux/ntkrnlmp.pdb/${KERNEL_OTHER.guid}-1.json.xz`, bytes: xzBytes(KERNEL_OTHER), level: 0 },
      { name: `windows/ntkrnlmp.pdb/${KERNEL_OTHER.guid}-1.json.xz.bak`, bytes: xzBytes(KERNEL_OTHER), level: 0 },
      { name: 'README.txt', bytes: new TextEncoder().encode('Volatility 3 symbol pack') },
      { name: `windows/tcpip.pdb/${misnamed.guid}-1.json.xz`, bytes: xzBytes(TCPIP_19041), level: 0 },
    ]);
    assert.ok(isZipSignature(zip));
    pack = await ZipSymbolPack.open(new MemorySource(zip, 'pack.zip'));
  });
  after(() => pack.close());

  it('indexes the ISF entry names only', async () => {
    assert.deepEqual((await pack.keys()).sort(), [KERNEL_19041, KERNEL_17763, TCPIP_OTHER, TCPIP_19041, misnamed].map(keyOf).sort());
    assert.equal(pack.describe(), 'symbol pack pack.zip');
  });

  it('loads stored and deflated entries, with and without windows/, like the loose files', async () => {
    const cases: [Pdb, string][] = [
      [KERNEL_19041, `windows/ntkrnlmp.pdb/${KERNEL_19041.guid}-1.json.xz`],
      [KERNEL_17763, `ntkrnlmp.pdb/${KERNEL_17763.guid}-1.json.xz`],
      [TCPIP_OTHER, `Symbols/Windows/TCPIP.PDB/${TCPIP_OTHER.guid.toLowerCase()}-1.JSON`],
      [TCPIP_19041, `windows/tcpip.pdb/${TCPIP_19041.guid}-1.json`],
    ];
    for (const [pdb, entry] of cases) {
      const got = (await pack.get(keyOf(pdb)))!;
      assert.ok(got, entry);
      assert.equal(got.origin, `pack.zip!${entry}`);
      const loose = await loadIsf(readFileSync(looseFile(pdb)), looseFile(pdb));
      assertSameTable(got, loose, JSON.parse(new TextDecoder().decode(jsonBytes(pdb))), entry);
    }
    // The entry is handed out as packed: .json.xz stays xz.
    assert.deepEqual((await pack.isfFile(keyOf(KERNEL_19041)))?.bytes, xzBytes(KERNEL_19041));
    // Keys match case-insensitively.
    assert.ok(await pack.isfFile(pdbKey('NTKRNLMP.PDB', KERNEL_17763.guid.toLowerCase(), 1)));
  });

  it('answers undefined for keys it does not hold, decoys included', async () => {
    for (const key of [
      keyOf(KERNEL_OTHER),
      pdbKey('ntkrnlmp.pdb', KERNEL_19041.guid, 2),
      pdbKey('ntoskrnl.pdb', KERNEL_19041.guid, 1),
      'linux/Linux version 6.1.0',
    ]) {
      assert.equal(await pack.get(key), undefined, key);
      assert.equal(await pack.isfFile(key), undefined, key);
    }
  });

  it('rejects an entry whose metadata names another PDB, naming the zip and the entry', async () => {
    await rejectsWith(
      pack.get(keyOf(misnamed)),
      'SYMBOLS_INVALID',
      `pack.zip!windows/tcpip.pdb/${misnamed.guid}-1.json.xz`,
      `named for ${keyOf(misnamed)} but its metadata says ${keyOf(TCPIP_19041)}`,
    );
  });
});

describe('corrupt ZIPs → SYMBOLS_INVALID naming the zip', { skip }, () => {
  const stored = `windows/ntkrnlmp.pdb/${KERNEL_19041.guid}-1.json.xz`;
  const deflated = `windows/tcpip.pdb/${TCPIP_19041.guid}-1.json`;
  let good: Uint8Array;
  before(async () => {
    good = await makeZip([
      { name: stored, bytes: xzBytes(KERNEL_19041), level: 0 },
      { name: deflated, bytes: jsonBytes(TCPIP_19041) },
    ]);
  });
  const open = (bytes: Uint8Array, options = {}) => ZipSymbolPack.open(new MemorySource(bytes, 'bad.zip'), options);

  it('a file that is not a ZIP, or has lost its end', async () => {
    await rejectsWith(open(xzBytes(TCPIP_19041)), 'SYMBOLS_INVALID', 'bad.zip', 'not a readable ZIP file');
    await rejectsWith(open(good.subarray(0, good.length - 10)), 'SYMBOLS_INVALID', 'bad.zip', 'not a readable ZIP file');
  });

  it('a truncated central directory', async () => {
    const { directory, eocd } = layout(good);
    // The end record still points at the directory, which now stops halfway.
    const half = directory + Math.floor((eocd - directory) / 2);
    const cut = new Uint8Array([...good.subarray(0, half), ...good.subarray(eocd)]);
    new DataView(cut.buffer).setUint32(cut.length - 22 + 16, directory, true);
    await rejectsWith(open(cut), 'SYMBOLS_INVALID', 'bad.zip', 'not a readable ZIP file');
  });

  it('bad CRC in a stored entry, garbage in a deflated one', async () => {
    const { entries } = layout(good);
    const flipped = good.slice();
    flipped[entries.get(stored)!.data + 1000]! ^= 0xff;
    const pack = await open(flipped);
    await rejectsWith(pack.isfFile(keyOf(KERNEL_19041)), 'SYMBOLS_INVALID', `bad.zip!${stored}`, 'ZIP entry is corrupt');
    assert.ok(await pack.isfFile(keyOf(TCPIP_19041)), 'the other entry still reads');

    const garbled = good.slice();
    const { data, compressedSize } = entries.get(deflated)!;
    garbled.fill(0xff, data + 10, data + compressedSize);
    await rejectsWith((await open(garbled)).get(keyOf(TCPIP_19041)), 'SYMBOLS_INVALID', `bad.zip!${deflated}`, 'ZIP entry is corrupt');
  });

  it('an entry that inflates past the cap, declared or not', async () => {
    const name = `windows/ntkrnlmp.pdb/${KERNEL_19041.guid}-1.json`;
    const bomb = await makeZip([{ name, bytes: new Uint8Array(2 << 20) }]);
    const cap = { maxEntryBytes: 1 << 20 };
    const declared = (await open(bomb, cap)).isfFile(keyOf(KERNEL_19041));
    await rejectsWith(declared, 'SYMBOLS_INVALID', `bad.zip!${name}`, 'inflates to more than 1048576 bytes');
    // Sizes rewritten to claim 1000 bytes: the inflated data gives the lie.
    const lying = bomb.slice();
    const { view, entries } = layout(lying);
    const entry = entries.get(name)!;
    view.setUint32(entry.record + 24, 1000, true);
    view.setUint32(entry.local + 22, 1000, true);
    await rejectsWith((await open(lying, cap)).isfFile(keyOf(KERNEL_19041)), 'SYMBOLS_INVALID', `bad.zip!${name}`);
  });
});

describe('DirectorySymbolStore with symbol packs', () => {
  const entry = `windows/ntkrnlmp.pdb/${KERNEL_19041.guid}-1.json.xz`;
  let zip: Uint8Array;
  before(async () => {
    zip = await makeZip([{ name: entry, bytes: xzBytes(KERNEL_19041) }]);
  });

  it('finds a key inside DIR/windows.zip and inside DIR/windows/*.zip', async () => {
    const onTop = join(tmp, 'on-top');
    const inWindows = join(tmp, 'in-windows');
    mkdirSync(onTop);
    mkdirSync(join(inWindows, 'windows'), { recursive: true });
    writeFileSync(join(onTop, 'windows.zip'), zip);
    writeFileSync(join(inWindows, 'windows', 'pack.ZIP'), zip);
    for (const [dir, zipPath] of [
      [onTop, join(onTop, 'windows.zip')],
      [inWindows, join(inWindows, 'windows', 'pack.ZIP')],
      [join(inWindows, 'windows'), join(inWindows, 'windows', 'pack.ZIP')],
    ] as const) {
      const store = new DirectorySymbolStore(dir);
      try {
        const table = await store.get(keyOf(KERNEL_19041));
        assert.equal(table?.origin, `${zipPath}!${entry}`, dir);
        const raw = JSON.parse(new TextDecoder().decode(jsonBytes(KERNEL_19041)));
        assert.equal(table?.struct('_EPROCESS')?.size, raw.user_types._EPROCESS.size);
        assert.equal(await store.get(keyOf(KERNEL_17763)), undefined);
      } finally {
        await store.close();
      }
    }
  });

  it('prefers loose files and opens zips only for keys no loose file has', async () => {
    const dir = join(tmp, 'loose-and-broken');
    const loose = join(dir, 'windows', 'ntkrnlmp.pdb', `${KERNEL_19041.guid}-1.json.xz`);
    mkdirSync(dirname(loose), { recursive: true });
    copyFileSync(looseFile(KERNEL_19041), loose);
    writeFileSync(join(dir, 'broken.zip'), zip.subarray(0, zip.length - 10));
    const store = new DirectorySymbolStore(dir);
    try {
      assert.equal((await store.get(keyOf(KERNEL_19041)))?.origin, loose);
      assert.equal(await store.get('linux/Linux version 6.1.0'), undefined);
      await rejectsWith(store.get(keyOf(KERNEL_17763)), 'SYMBOLS_INVALID', join(dir, 'broken.zip'), 'not a readable ZIP file');
    } finally {
      await store.close();
    }
  });
});

describe('memscope CLI with -s DIR holding only windows.zip', () => {
  it('runs windows.pslist with the table read from the zip', async () => {
    const image = await writeWindowsImage(join(tmp, 'image'), { size: 16 * 1024 * 1024, seed: 33 });
    const symbolsRoot = join(tmp, 'image', 'symbols');
    const entry = relative(symbolsRoot, image.symbolsPath).split('\\').join('/');
    assert.match(entry, /^windows\/ntkrnlmp\.pdb\/[0-9A-F]{32}-\d+\.json(\.xz)?$/);
    const zipDir = join(tmp, 'zip-only');
    mkdirSync(zipDir);
    writeFileSync(join(zipDir, 'windows.zip'), await makeZip([{ name: entry, bytes: readFileSync(image.symbolsPath) }]));

    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '-f', image.imagePath, '-s', zipDir, '--no-cache', '-r', 'json', 'windows.pslist'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { PID: number; ImageFileName: string }[];
    const linked = image.expected.processes.filter((p) => p.linked);
    assert.deepEqual(
      rows.map((r) => [r.PID, r.ImageFileName]),
      linked.map((p) => [p.pid, p.name]),
    );
  });
});
