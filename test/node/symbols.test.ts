import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';
import { DirectorySymbolStore } from '../../src/node/directory-symbol-store.ts';
import { loadIsf, parseIsf, type IsfSymbolTable } from '../../src/symbols/isf-table.ts';
import { MissingSymbolsError } from '../../src/symbols/missing-symbols.ts';
import { StructLayout } from '../../src/os/struct-layout.ts';
import { symbolFileText } from '../../src/symbols/symbol-file-text.ts';
import { ChainSymbolStore, identifyIsf, MemorySymbolStore } from '../../src/symbols/symbol-store.ts';
import { pdbKey } from '../../src/symbols/symbol-table.ts';
import { DEFAULT_ISF_PATH } from '../fixtures/windows/isf.ts';
import { needTestData } from '../helpers/need-test-data.ts';
import { testDataPath } from '../helpers/test-data.ts';

// The 19041 kernel's ISF is in the repository; the other tables come from the external test data.
const SYMBOLS = testDataPath('symbols');
const skip = needTestData('symbols/windows', ['xz']);
const sharedFiles = () =>
  readdirSync(join(SYMBOLS, 'windows')).flatMap((pdb) => readdirSync(join(SYMBOLS, 'windows', pdb)).map((f) => join(SYMBOLS, 'windows', pdb, f)));
const KERNEL_19041 = DEFAULT_ISF_PATH;
const KERNEL_17763 = join(SYMBOLS, 'windows/ntkrnlmp.pdb/2EA98876FE209B61954090E803113013-1.json.xz');
const TCPIP_19041 = join(SYMBOLS, 'windows/tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1.json.xz');

// Truth: the ISF JSON decompressed by the xz command and parsed by JSON.parse, without the loader.
type Raw = Record<string, any>;
const truths = new Map<string, Raw>();
function truth(path: string): Raw {
  let t = truths.get(path);
  if (!t) {
    t = JSON.parse(execFileSync('xz', ['-dc', path], { maxBuffer: 64 << 20 }).toString('utf8')) as Raw;
    truths.set(path, t);
  }
  return t;
}

const tables = new Map<string, Promise<IsfSymbolTable>>();
function table(path: string): Promise<IsfSymbolTable> {
  let t = tables.get(path);
  if (!t) {
    t = loadIsf(readFileSync(path), path);
    tables.set(path, t);
  }
  return t;
}

/** Every n-th name in sorted order plus the ones named: a spread sample without picking by hand. */
function sample(names: Iterable<string>, every: number, always: string[] = []): string[] {
  const sorted = [...names].sort();
  return [...new Set([...always, ...sorted.filter((_, i) => i % every === 0)])];
}

/** Size of an ISF type descriptor computed straight from the JSON. */
function truthSize(raw: Raw, t: Raw): number {
  switch (t.kind) {
    case 'base':
      return raw.base_types[t.name].size;
    case 'pointer':
      return raw.base_types.pointer.size;
    case 'enum':
      return raw.enums[t.name].size;
    case 'array':
      return t.count * truthSize(raw, t.subtype);
    case 'bitfield':
      return truthSize(raw, t.type);
    default:
      return raw.user_types[t.name].size;
  }
}

async function rejects(promise: Promise<unknown> | (() => unknown), code: ErrorCode, text: RegExp): Promise<void> {
  await assert.rejects(
    async () => (typeof promise === 'function' ? promise() : promise),
    (e: unknown) => {
      assert.ok(isMemscopeError(e), `expected a MemscopeError, got ${String(e)}`);
      assert.equal(e.code, code);
      assert.match(e.message, text);
      return true;
    },
  );
}

/** A small ISF written here, so its values are known: the generator is the truth. */
function syntheticIsf(overrides: Raw = {}): Raw {
  return {
    metadata: { format: '6.2.0', windows: { pdb: { GUID: '00112233445566778899AABBCCDDEEFF', age: 3, database: 'demo.pdb' } } },
    base_types: {
      pointer: { kind: 'int', size: 8, signed: false, endian: 'little' },
      'unsigned int': { kind: 'int', size: 4, signed: false, endian: 'little' },
    },
    user_types: {},
    enums: {},
    symbols: {},
    ...overrides,
  };
}
const bytesOf = (json: Raw | string): Uint8Array => new TextEncoder().encode(typeof json === 'string' ? json : JSON.stringify(json));

test('every shared ISF loads and names the PDB, GUID and age its file name and metadata give', { skip }, async () => {
  const files = sharedFiles();
  assert.equal(files.length, 6);
  for (const path of files) {
    const [, guid, age] = /^([0-9A-F]{32})-(\d+)\.json\.xz$/.exec(basename(path))!;
    const pdb = truth(path).metadata.windows.pdb;
    const t = await table(path);
    assert.deepEqual(t.identity, { kind: 'pdb', pdbName: basename(dirname(path)), guid, age: Number(age) }, path);
    assert.deepEqual(t.identity, { kind: 'pdb', pdbName: pdb.database, guid: pdb.GUID, age: pdb.age }, path);
    assert.equal(t.pointerSize, 8);
    assert.equal(t.origin, path);
    assert.equal((await identifyIsf(readFileSync(path), path)).key, pdbKey(pdb.database, pdb.GUID, pdb.age));
  }
});

test('struct sizes, kinds, field offsets and field types match the JSON (19041 and 17763 kernels)', { skip }, async () => {
  for (const path of [KERNEL_19041, KERNEL_17763]) {
    const raw = truth(path);
    const t = await table(path);
    const names = sample(Object.keys(raw.user_types), 23, ['_EPROCESS', '_KPROCESS', '_ETHREAD', '_LIST_ENTRY', '_PEB', '_OBJECT_HEADER']);
    assert.ok(names.length > 60);
    for (const name of names) {
      const want = raw.user_types[name];
      const got = t.struct(name)!;
      assert.equal(got.kind, want.kind, name);
      assert.equal(got.size, want.size, name);
      assert.equal(t.sizeOf({ kind: want.kind, name }), want.size, name);
      assert.deepEqual([...got.fields.keys()].sort(), Object.keys(want.fields).sort(), name);
      for (const [field, info] of got.fields) {
        assert.equal(info.offset, want.fields[field].offset, `${name}.${field}`);
        assert.deepEqual(info.type, want.fields[field].type, `${name}.${field}`);
        if (info.type.kind !== 'function') assert.equal(t.sizeOf(info.type), truthSize(raw, want.fields[field].type), `${name}.${field}`);
      }
    }
    assert.equal(t.struct('_NO_SUCH_TYPE'), undefined);
    assert.equal(t.struct('constructor'), undefined);
  }
});

test('symbol addresses (RVAs), enums and base types match the JSON', { skip }, async () => {
  for (const path of [KERNEL_19041, TCPIP_19041]) {
    const raw = truth(path);
    const t = await table(path);
    const kernel = path === KERNEL_19041;
    const always = kernel ? ['PsActiveProcessHead', 'PsLoadedModuleList', 'KdDebuggerDataBlock'] : ['TcpCompartmentSet'];
    for (const name of sample(Object.keys(raw.symbols), 97, always)) {
      assert.equal(t.symbol(name), BigInt(raw.symbols[name].address), name);
    }
    for (const name of ['NoSuchSymbol', '__proto__', 'toString', 'hasOwnProperty']) assert.equal(t.symbol(name), undefined);
    for (const name of sample(Object.keys(raw.enums), 11)) {
      const want = raw.enums[name];
      const got = t.enumeration(name)!;
      assert.deepEqual({ size: got.size, base: got.base }, { size: want.size, base: want.base }, name);
      assert.deepEqual(Object.fromEntries(got.constants), want.constants, name);
    }
    for (const [name, want] of Object.entries<Raw>(raw.base_types)) {
      assert.deepEqual(t.baseType(name), { kind: want.kind, size: want.size, signed: want.signed }, name);
    }
    if (!kernel) {
      // tcpip tables hold public symbols only: no types, pointer size from the PDB machine type (AMD64).
      assert.equal(Object.keys(raw.base_types).length, 0);
      assert.equal(raw.metadata.windows.pdb.machine_type, 0x8664);
      assert.equal(t.pointerSize, 8);
      assert.equal(t.struct('_EPROCESS'), undefined);
    }
  }
});

test('StructLayout resolves dotted field paths over the table and names the table when something is missing', async () => {
  const raw = truth(KERNEL_19041);
  const t = await table(KERNEL_19041);
  const label = 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1';
  const layout = new StructLayout(t, label);
  assert.equal(layout.offset('_EPROCESS', 'ActiveProcessLinks'), raw.user_types._EPROCESS.fields.ActiveProcessLinks.offset);
  assert.equal(
    layout.offset('_EPROCESS', 'Pcb.DirectoryTableBase'),
    raw.user_types._EPROCESS.fields.Pcb.offset + raw.user_types._KPROCESS.fields.DirectoryTableBase.offset,
  );
  assert.equal(layout.size('_ETHREAD'), raw.user_types._ETHREAD.size);
  assert.equal(t.symbol('PsActiveProcessHead'), BigInt(raw.symbols.PsActiveProcessHead.address));
  await rejects(() => layout.offset('_EPROCESS', 'Bogus'), 'SYMBOLS_INVALID', new RegExp(`^${label}: _EPROCESS has no field Bogus$`));
  await rejects(() => layout.size('NOPE'), 'SYMBOLS_INVALID', new RegExp(`^${label}: no type NOPE$`));
});

test('19041 kernel ISF load time (xz decode + JSON.parse)', async (t) => {
  const bytes = readFileSync(KERNEL_19041);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const loaded = await loadIsf(bytes, KERNEL_19041);
    times.push(performance.now() - start);
    assert.ok(loaded.struct('_EPROCESS'));
  }
  t.diagnostic(`19041 ntkrnlmp ISF (${bytes.length} bytes xz): load ${times.map((x) => x.toFixed(0)).join(' / ')} ms`);
  assert.ok(Math.min(...times) < 5000, 'loading one kernel ISF must take seconds at most');
});

test('gzip and plain JSON load like xz', { skip }, async () => {
  const text = execFileSync('xz', ['-dc', TCPIP_19041]);
  for (const bytes of [new Uint8Array(text), new Uint8Array(gzipSync(text))]) {
    const t = await loadIsf(bytes, 'tcpip.json');
    assert.deepEqual(t.identity, (await table(TCPIP_19041)).identity);
    assert.equal(t.symbol('TcpCompartmentSet'), BigInt(truth(TCPIP_19041).symbols.TcpCompartmentSet.address));
  }
});

test('bad files are SYMBOLS_INVALID naming the file, and the xz decoder stays usable afterwards', { skip }, async () => {
  const xz = new Uint8Array(readFileSync(TCPIP_19041));
  const corrupt = new Uint8Array(xz);
  corrupt[xz.length >> 1] ^= 0xff;
  await rejects(loadIsf(xz.subarray(0, xz.length >> 1), 'half.json.xz'), 'SYMBOLS_INVALID', /^half\.json\.xz: xz data is corrupt or truncated/);
  await rejects(loadIsf(xz.subarray(0, 6), 'magic.json.xz'), 'SYMBOLS_INVALID', /^magic\.json\.xz: xz data is corrupt or truncated/);
  await rejects(loadIsf(corrupt, 'flipped.json.xz'), 'SYMBOLS_INVALID', /^flipped\.json\.xz: xz data is corrupt/);
  await rejects(loadIsf(bytesOf('hello'), 'a.txt'), 'SYMBOLS_INVALID', /^a\.txt: not a symbol file/);
  await rejects(loadIsf(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), 'windows.zip'), 'SYMBOLS_INVALID', /^windows\.zip: not a symbol file/);
  await rejects(loadIsf(new Uint8Array(0), 'empty.json'), 'SYMBOLS_INVALID', /^empty\.json: not a symbol file/);
  await rejects(loadIsf(bytesOf('{ "metadata": '), 'cut.json'), 'SYMBOLS_INVALID', /^cut\.json: not valid JSON/);
  await rejects(
    loadIsf(bytesOf({ hello: 1 }), 'other.json'),
    'SYMBOLS_INVALID',
    /^other\.json: not a Volatility 3 ISF symbol table \(missing metadata, base_types, user_types, enums, symbols\)/,
  );
  await rejects(loadIsf(bytesOf({ ...syntheticIsf(), user_types: [] }), 'arr.json'), 'SYMBOLS_INVALID', /missing user_types/);
  for (const format of ['5.1.0', '7.0.0', 'x']) {
    const isf = syntheticIsf({ metadata: { ...syntheticIsf().metadata, format } });
    await rejects(
      loadIsf(bytesOf(isf), 'old.json'),
      'SYMBOLS_INVALID',
      new RegExp(`^old\\.json: ISF format ${format} is not supported; memscope reads format 6\\.x`),
    );
  }
  // The real file still decodes after all of the above.
  assert.ok((await loadIsf(xz, 'ok.json.xz')).symbol('TcpCompartmentSet'));
});

test('decompression is capped: a file inflating past the limit is rejected, and decoding still works after', { skip }, async () => {
  const mib = 1 << 20;
  await rejects(symbolFileText(readFileSync(KERNEL_19041), 'big.json.xz', mib), 'SYMBOLS_INVALID', /^big\.json\.xz: holds more than 1 MiB of JSON/);
  const bomb = gzipSync(Buffer.alloc(8 * mib, 0x20));
  assert.ok(bomb.length < 64 * 1024);
  await rejects(symbolFileText(bomb, 'bomb.json.gz', mib), 'SYMBOLS_INVALID', /^bomb\.json\.gz: holds more than 1 MiB of JSON/);
  await rejects(symbolFileText(bytesOf(`{${' '.repeat(mib)}}`), 'wide.json', mib), 'SYMBOLS_INVALID', /more than 1 MiB/);
  assert.equal((await symbolFileText(readFileSync(TCPIP_19041), 'ok.json.xz')).length, execFileSync('xz', ['-dc', TCPIP_19041]).length);
});

test('malformed types fail with SYMBOLS_INVALID when used, not at load', async () => {
  const isf = syntheticIsf({
    user_types: {
      _GOOD: { kind: 'struct', size: 16, fields: { Next: { offset: 0, type: { kind: 'pointer', subtype: { kind: 'struct', name: '_GOOD' } } } } },
      _NEG: { kind: 'struct', size: 8, fields: { A: { offset: -4, type: { kind: 'base', name: 'unsigned int' } } } },
      _ODD: { kind: 'struct', size: 8, fields: { A: { offset: 0, type: { kind: 'mystery' } } } },
      _DANGLING: { kind: 'struct', size: 8, fields: { A: { offset: 0, type: { kind: 'struct', name: '_NOWHERE' } } } },
      _CYCLE: { kind: 'struct', size: 8, fields: { u: { offset: 0, anonymous: true, type: { kind: 'struct', name: '_CYCLE' } } } },
    },
    symbols: { neg: { address: -1 }, text: { address: 'main' } },
  });
  const t = await loadIsf(bytesOf(isf), 'demo.json');
  await rejects(() => t.symbol('neg'), 'SYMBOLS_INVALID', /^demo\.json: symbol neg has no valid address$/);
  await rejects(() => t.symbol('text'), 'SYMBOLS_INVALID', /^demo\.json: symbol text has no valid address$/);
  assert.equal(t.struct('_GOOD')!.fields.get('Next')!.offset, 0);
  await rejects(() => t.struct('_NEG'), 'SYMBOLS_INVALID', /^demo\.json: user type _NEG field A offset is not a non-negative integer$/);
  await rejects(() => t.struct('_ODD'), 'SYMBOLS_INVALID', /^demo\.json: user type _ODD field A: unknown type kind mystery$/);
  await rejects(() => t.struct('_CYCLE'), 'SYMBOLS_INVALID', /nest too deep/);
  const dangling = t.struct('_DANGLING')!.fields.get('A')!.type;
  await rejects(() => t.sizeOf(dangling), 'SYMBOLS_INVALID', /^demo\.json: struct _NOWHERE is referenced but not defined$/);
});

test('Linux ISF: banner identity, exact 64-bit addresses, anonymous members folded into the parent', async () => {
  const bannerText = 'Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n\0';
  const isf = syntheticIsf({
    metadata: { format: '6.2.0', linux: { symbols: [{ kind: 'symtab', name: 'vmlinux' }] } },
    base_types: { ...syntheticIsf().base_types, char: { kind: 'char', size: 1, signed: true, endian: 'little' } },
    user_types: {
      task_struct: {
        kind: 'struct',
        size: 64,
        fields: {
          pid: { offset: 4, type: { kind: 'base', name: 'unsigned int' } },
          anon: { offset: 16, anonymous: true, type: { kind: 'union', name: 'unnamed_1' } },
          comm: { offset: 48, type: { kind: 'array', count: 16, subtype: { kind: 'base', name: 'char' } } },
        },
      },
      unnamed_1: {
        kind: 'union',
        size: 24,
        fields: {
          a: { offset: 0, type: { kind: 'pointer', subtype: { kind: 'base', name: 'void' } } },
          inner: { offset: 8, anonymous: true, type: { kind: 'struct', name: 'unnamed_2' } },
        },
      },
      unnamed_2: { kind: 'struct', size: 8, fields: { b: { offset: 4, type: { kind: 'base', name: 'unsigned int' } } } },
    },
    symbols: { linux_banner: { address: 0, constant_data: btoa(bannerText) } },
  });
  // Above 2^53, so not representable as a JS number: written as a decimal literal, the way dwarf2json does.
  const initTask = 0xffffffff82a0d941n;
  const text = JSON.stringify(isf).replace('"symbols":{', `"symbols":{"init_task":{"address":${initTask}},`);
  const t = parseIsf(text, 'linux.json');
  assert.equal(t.symbol('init_task'), initTask);
  assert.deepEqual(t.identity, { kind: 'linux', banner: bannerText.slice(0, -2) });
  assert.equal((await identifyIsf(bytesOf(text), 'linux.json')).key, `linux/${bannerText.slice(0, -2)}`);
  const task = t.struct('task_struct')!;
  assert.deepEqual(
    [...task.fields].map(([name, f]) => [name, f.offset]),
    [
      ['pid', 4],
      ['a', 16],
      ['b', 28],
      ['comm', 48],
    ],
  );
  assert.equal(t.sizeOf(task.fields.get('comm')!.type), 16);
  assert.equal(t.sizeOf(task.fields.get('a')!.type), 8);
});

test('an ISF without PDB or banner metadata cannot be stored', async () => {
  const isf = syntheticIsf({ metadata: { format: '6.0.0' } });
  assert.equal((await loadIsf(bytesOf(isf), 'anon.json')).identity, undefined);
  await rejects(identifyIsf(bytesOf(isf), 'anon.json'), 'SYMBOLS_INVALID', /^anon\.json: the symbol table does not say which PDB/);
  await rejects(new MemorySymbolStore().putFile('anon.json', bytesOf(isf)), 'SYMBOLS_INVALID', /does not say/);
});

test('DirectorySymbolStore finds DIR/windows/<pdb>/<GUID>-<AGE>.json.xz and DIR/<pdb>/..., case-insensitively', { skip }, async () => {
  const key = pdbKey('ntkrnlmp.pdb', '606FF669409B00F7FC8C61A9C1670129', 1);
  const shared19041 = join(SYMBOLS, 'windows', 'ntkrnlmp.pdb', '606FF669409B00F7FC8C61A9C1670129-1.json.xz');
  for (const dir of [SYMBOLS, join(SYMBOLS, 'windows')]) {
    const store = new DirectorySymbolStore(dir);
    assert.deepEqual((await store.get(key))?.identity, (await table(shared19041)).identity, dir);
    assert.equal((await store.get(key.replace('606FF669409B00F7FC8C61A9C1670129', '606ff669409b00f7fc8c61a9c1670129')))?.origin, shared19041);
    assert.equal(await store.get(pdbKey('ntkrnlmp.pdb', '606FF669409B00F7FC8C61A9C1670129', 2)), undefined);
    assert.equal(await store.get(pdbKey('ntoskrnl.pdb', '606FF669409B00F7FC8C61A9C1670129', 1)), undefined);
    assert.equal(await store.get('linux/Linux version 6.1.0'), undefined);
    assert.equal(store.describe(), `symbol directory ${dir}`);
  }
  assert.equal(await new DirectorySymbolStore('/nonexistent/symbols').get(key), undefined);

  const tmp = mkdtempSync(join(tmpdir(), 'memscope-symbols-'));
  try {
    // Upper-case folders, lower-case GUID, plain JSON; and a file whose name does not match its metadata.
    mkdirSync(join(tmp, 'Windows', 'TCPIP.PDB'), { recursive: true });
    writeFileSync(join(tmp, 'Windows', 'TCPIP.PDB', 'd85ba7edfcafaa23f22a88d7e2549d86-1.json'), execFileSync('xz', ['-dc', TCPIP_19041]));
    mkdirSync(join(tmp, 'Windows', 'ntkrnlmp.pdb'));
    copyFileSync(KERNEL_17763, join(tmp, 'Windows', 'ntkrnlmp.pdb', '606FF669409B00F7FC8C61A9C1670129-1.json.xz'));
    const store = new DirectorySymbolStore(tmp);
    const tcpip = await store.get(pdbKey('tcpip.pdb', 'D85BA7EDFCAFAA23F22A88D7E2549D86', 1));
    assert.equal(tcpip?.symbol('TcpCompartmentSet'), BigInt(truth(TCPIP_19041).symbols.TcpCompartmentSet.address));
    await rejects(
      store.get(key),
      'SYMBOLS_INVALID',
      /file is named for ntkrnlmp\.pdb\/606FF669409B00F7FC8C61A9C1670129-1 but its metadata says ntkrnlmp\.pdb\/2EA98876FE209B61954090E803113013-1/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('MemorySymbolStore and ChainSymbolStore', { skip }, async () => {
  const memory = new MemorySymbolStore();
  const { key, table: t } = await memory.putFile('tcpip.json.xz', readFileSync(TCPIP_19041));
  assert.equal(key, 'tcpip.pdb/D85BA7EDFCAFAA23F22A88D7E2549D86-1');
  assert.equal(await memory.get(key), t);
  assert.deepEqual(await memory.keys(), [key]);

  const chain = new ChainSymbolStore(memory, new DirectorySymbolStore(SYMBOLS));
  assert.equal(await chain.get(key), t);
  const kernelKey = pdbKey('ntkrnlmp.pdb', '2EA98876FE209B61954090E803113013', 1);
  assert.equal((await chain.get(kernelKey))?.origin, KERNEL_17763);
  assert.equal(await chain.get(pdbKey('ntkrnlmp.pdb', '00000000000000000000000000000000', 1)), undefined);
  assert.equal(chain.describe(), `symbols loaded in this session, symbol directory ${SYMBOLS}`);
});

test('MissingSymbolsError says which PDB is needed, where packs come from and where the file goes', () => {
  const pdb = { kind: 'pdb', pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 10 } as const;
  const e = new MissingSymbolsError(pdb, 'symbol directory /x');
  assert.ok(isMemscopeError(e));
  assert.equal(e.code, 'SYMBOLS_MISSING');
  assert.deepEqual(e.missing, pdb);
  const lines = e.message.split('\n');
  assert.ok(lines.length <= 4, e.message);
  assert.match(lines[0]!, /^Symbols needed: ntkrnlmp\.pdb GUID 606FF669409B00F7FC8C61A9C1670129 age 10; not found in symbol directory \/x\.$/);
  assert.match(e.message, /windows\.zip/);
  assert.match(e.message, /github\.com\/JPCERTCC\/Windows-Symbol-Tables/);
  // Microsoft's symbol server appends the age in hex: 10 → A.
  assert.match(e.message, /pdbconv -p ntkrnlmp\.pdb -g 606FF669409B00F7FC8C61A9C1670129A -o 606FF669409B00F7FC8C61A9C1670129-10\.json\.xz/);
  assert.match(e.message, /<dir>\/windows\/ntkrnlmp\.pdb\/606FF669409B00F7FC8C61A9C1670129-10\.json\.xz/);
});
