import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { DirectorySymbolStore } from '../../src/node/directory-symbol-store.ts';
import { parseIsf } from '../../src/symbols/isf-table.ts';
import { MsfFile } from '../../src/symbols/pdb/msf.ts';
import { loadPdb, parsePdb, pdbIsfText, PdbSymbolTable, stripSymbolName, type ParsedPdb } from '../../src/symbols/pdb/pdb-table.ts';
import { parseTypeStream } from '../../src/symbols/pdb/tpi.ts';
import { identifyIsf, MemorySymbolStore } from '../../src/symbols/symbol-store.ts';
import { pdbKey } from '../../src/symbols/symbol-table.ts';
import { needTestData } from '../helpers/need-test-data.ts';
import { testDataPath } from '../helpers/test-data.ts';

const skip = needTestData('fixtures/pdb', ['llvm-pdbutil']);
/** The fixtures' README: GUID and age of each PDB. */
const FIXTURES = [
  { file: 'crash.pdb', guid: '3249D99D-0C40-4931-8610-F4E4FB0B6936', age: 1 },
  { file: 'CrashWithException.pdb', guid: 'F535C5FB-2AE8-4BB8-AA20-6C30BE566C5A', age: 1 },
];

// ---------- the truth side: llvm-pdbutil's text output, parsed with regexes ----------

const pdbutil = (file: string, ...args: string[]): string =>
  execFileSync('llvm-pdbutil', ['dump', ...args, testDataPath('fixtures', 'pdb', file)], { encoding: 'utf8', maxBuffer: 1 << 28 });

interface LlvmRecord {
  readonly index: number;
  readonly kind: string;
  readonly name: string | undefined;
  readonly body: string[];
}

/** `dump -types`: one entry per record, `0x1234 | LF_KIND [size = n] `name`` and its indented lines. */
function llvmTypes(file: string): Map<number, LlvmRecord> {
  const out = new Map<number, LlvmRecord>();
  let current: LlvmRecord | undefined;
  for (const line of pdbutil(file, '-types').split('\n')) {
    const head = /^\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+\](?: `(.*)`)?\s*$/.exec(line);
    if (head) {
      current = { index: parseInt(head[1]!, 16), kind: head[2]!, name: head[3], body: [] };
      out.set(current.index, current);
    } else if (current) {
      current.body.push(line);
    }
  }
  return out;
}

const hexField = (r: LlvmRecord, label: string): number | undefined => {
  const m = new RegExp(`${label}: (0x[0-9A-F]+|<no type>)`).exec(r.body.join('\n'));
  assert.ok(m, `llvm-pdbutil record 0x${r.index.toString(16)} has no ${label}`);
  return m[1] === '<no type>' ? undefined : parseInt(m[1]!, 16);
};

interface LlvmUdt {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly forwardRef: boolean;
  readonly size: number;
  readonly fieldList: number | undefined;
}

function llvmUdt(r: LlvmRecord): LlvmUdt {
  const body = r.body.join('\n');
  const size = /sizeof (\d+)/.exec(body);
  assert.ok(size, `llvm-pdbutil record 0x${r.index.toString(16)} has no sizeof`);
  return {
    index: r.index,
    kind: r.kind,
    name: r.name ?? '',
    forwardRef: /forward ref/.test(body),
    size: Number(size[1]),
    fieldList: hexField(r, 'field list'),
  };
}

const MEMBER = /^\s+- LF_MEMBER \[name = `(.*)`, Type = (0x[0-9A-F]+)(?: \(.*\))?, offset = (\d+), attrs = \w+\]$/;
const ENUMERATE = /^\s+- LF_ENUMERATE \[(.*) = (-?\d+)\]$/;

/** LF_MEMBER entries of a field list, in order. */
const llvmMembers = (r: LlvmRecord | undefined) =>
  (r?.body ?? []).flatMap((l) => {
    const m = MEMBER.exec(l);
    return m ? [{ name: m[1]!, type: parseInt(m[2]!, 16), offset: Number(m[3]) }] : [];
  });

const llvmEnumerates = (r: LlvmRecord | undefined) =>
  (r?.body ?? []).flatMap((l) => {
    const m = ENUMERATE.exec(l);
    return m ? [{ name: m[1]!, value: Number(m[2]) }] : [];
  });

/** `dump -publics`: name, segment and offset (both printed in decimal) of each S_PUB32. */
function llvmPublics(file: string): { name: string; segment: number; offset: number }[] {
  const text = pdbutil(file, '-publics');
  return [...text.matchAll(/S_PUB32 \[size = \d+\] `(.*)`\n\s+flags = [^\n]*addr = (\d+):(\d+)/g)].map((m) => ({
    name: m[1]!,
    segment: Number(m[2]),
    offset: Number(m[3]),
  }));
}

/** `dump -section-headers`: each section's virtual address, in order. */
const llvmSectionVas = (file: string): number[] =>
  [...pdbutil(file, '-section-headers').matchAll(/^\s+([0-9A-F]+) virtual address$/gm)].map((m) => parseInt(m[1]!, 16));

function llvmSummary(file: string): { guid: string; age: number; signature: number; streams: number } {
  const text = pdbutil(file, '-summary');
  const field = (label: string) => {
    const m = new RegExp(`${label}: (.*)`).exec(text);
    assert.ok(m, `no ${label} in llvm-pdbutil's summary`);
    return m[1]!.trim();
  };
  return {
    guid: field('GUID').replace(/[{}-]/g, ''),
    age: Number(field('Age')),
    signature: Number(field('Signature')),
    streams: Number(field('Number of streams')),
  };
}

const fixtureBytes = (file: string) => new Uint8Array(readFileSync(testDataPath('fixtures', 'pdb', file)));

// ---------- the real PDBs against llvm-pdbutil ----------

for (const fixture of FIXTURES) {
  describe(`PDB ${fixture.file} against llvm-pdbutil`, { skip }, () => {
    let table: PdbSymbolTable;
    let types: Map<number, LlvmRecord>;
    const pdb = (): ParsedPdb => table.pdb;

    it('reads the MSF container, the info stream and the DBI age: GUID and age as the README and llvm-pdbutil give them', async () => {
      table = await loadPdb(new MemorySource(fixtureBytes(fixture.file), fixture.file));
      types = llvmTypes(fixture.file);
      const summary = llvmSummary(fixture.file);
      const readme = fixture.guid.replace(/-/g, '');
      assert.equal(summary.guid, readme);
      assert.deepEqual(table.identity, { kind: 'pdb', pdbName: fixture.file, guid: readme, age: fixture.age });
      assert.equal(pdb().info.guid, summary.guid);
      assert.equal(pdb().info.age, summary.age);
      assert.equal(pdb().info.signature, summary.signature);
      assert.equal(new MsfFile(fixtureBytes(fixture.file), fixture.file).streamCount, summary.streams);
      assert.ok(pdb().info.namedStreams.has('/names'), 'the named stream map has /names');
    });

    it('reads every TPI record llvm-pdbutil prints, with the same kind at the same index', () => {
      const kinds: Record<string, string> = {
        LF_STRUCTURE: 'struct',
        LF_CLASS: 'class',
        LF_UNION: 'union',
        LF_ENUM: 'enum',
        LF_FIELDLIST: 'fieldlist',
      };
      kinds['LF_POINTER'] = 'pointer';
      kinds['LF_MODIFIER'] = 'modifier';
      kinds['LF_ARRAY'] = 'array';
      kinds['LF_BITFIELD'] = 'bitfield';
      kinds['LF_PROCEDURE'] = 'function';
      kinds['LF_MFUNCTION'] = 'function';
      assert.equal(pdb().types.end - pdb().types.begin, types.size);
      for (const r of types.values()) {
        const ours = pdb().types.get(r.index);
        assert.ok(ours, `record 0x${r.index.toString(16)}`);
        assert.equal(ours.leaf, kinds[r.kind] ?? 'other', `record 0x${r.index.toString(16)} (${r.kind})`);
      }
    });

    it('every structure, class and union: name, forward reference, size and ALL members (name, type index, offset) as llvm-pdbutil', () => {
      let definitions = 0;
      let members = 0;
      for (const r of types.values()) {
        if (r.kind !== 'LF_STRUCTURE' && r.kind !== 'LF_CLASS' && r.kind !== 'LF_UNION') continue;
        const truth = llvmUdt(r);
        const ours = pdb().types.get(r.index);
        assert.ok(ours && (ours.leaf === 'struct' || ours.leaf === 'class' || ours.leaf === 'union'), `0x${r.index.toString(16)}`);
        assert.equal(ours.name, truth.name);
        assert.equal(ours.forwardRef, truth.forwardRef, `${truth.name} forward ref`);
        if (truth.forwardRef) continue;
        definitions++;
        assert.equal(ours.size, truth.size, `${truth.name} size`);
        const expected = truth.fieldList === undefined ? [] : llvmMembers(types.get(truth.fieldList));
        assert.deepEqual(pdb().types.fieldList(ours.fieldList).members, expected, `${truth.name} members`);
        members += expected.length;
      }
      assert.ok(definitions > 100 && members > 300, `${definitions} definitions, ${members} members compared`);
    });

    it('the symbol table: every defined structure by its ISF name (last definition wins, as pdbconv), size and member offsets', () => {
      const last = new Map<string, LlvmUdt>();
      for (const r of types.values()) {
        if (r.kind !== 'LF_STRUCTURE' && r.kind !== 'LF_CLASS' && r.kind !== 'LF_UNION') continue;
        const truth = llvmUdt(r);
        if (!truth.forwardRef && truth.name !== '') last.set(table.typeName(r.index), truth);
      }
      assert.equal([...table.structNames()].length, last.size);
      for (const [name, truth] of last) {
        const s = table.struct(name);
        assert.ok(s, `struct ${name}`);
        assert.equal(s.kind, truth.kind === 'LF_UNION' ? 'union' : 'struct', name);
        assert.equal(s.size, truth.size, `${name} size`);
        const offsets = new Map(llvmMembers(truth.fieldList === undefined ? undefined : types.get(truth.fieldList)).map((m) => [m.name, m.offset]));
        assert.deepEqual(new Map([...s.fields].map(([f, info]) => [f, info.offset])), offsets, `${name} fields`);
      }
      if (fixture.file === 'crash.pdb') {
        const desc = table.struct('tagARRAYDESC')!;
        assert.deepEqual(desc.fields.get('cDims'), { offset: 8, type: { kind: 'base', name: 'unsigned short' } });
        assert.deepEqual(desc.fields.get('tdescElem'), { offset: 0, type: { kind: 'struct', name: 'tagTYPEDESC' } });
      }
    });

    it('member types: pointers, bitfields and arrays as llvm-pdbutil describes their records', () => {
      let pointers = 0;
      let bitfields = 0;
      let arrays = 0;
      for (const r of types.values()) {
        if (r.kind !== 'LF_FIELDLIST') continue;
        for (const m of llvmMembers(r)) {
          const target = types.get(m.type);
          const d = table.descriptor(m.type);
          if (m.type < 0x1000) {
            assert.equal(d.kind, m.type & 0x700 ? 'pointer' : 'base', `${m.name}: simple type 0x${m.type.toString(16)}`);
          } else if (target?.kind === 'LF_POINTER') {
            assert.equal(d.kind, 'pointer', m.name);
            assert.equal(table.sizeOf(d), /kind = ptr64/.test(target.body.join()) ? 8 : 4, m.name);
            pointers++;
          } else if (target?.kind === 'LF_BITFIELD') {
            const b = /bit offset = (\d+), # bits = (\d+)/.exec(target.body.join());
            assert.ok(b && d.kind === 'bitfield', m.name);
            assert.equal(d.bit_position, Number(b[1]));
            assert.equal(d.bit_length, Number(b[2]));
            bitfields++;
          } else if (target?.kind === 'LF_ARRAY') {
            const size = /size: (\d+)/.exec(target.body.join());
            assert.ok(size && d.kind === 'array', m.name);
            if (table.sizeOfIndex(hexField(target, 'element type')!) > 0 && table.sizeOf(d.subtype) > 0) {
              assert.equal(table.sizeOf(d), Number(size[1]), `${m.name}: array of ${d.count}`);
            }
            arrays++;
          }
        }
      }
      assert.ok(pointers > 50 && bitfields > 0 && arrays > 10, `${pointers} pointers, ${bitfields} bitfields, ${arrays} arrays`);
    });

    it('every enum: its constants and its underlying type as llvm-pdbutil prints them', () => {
      let enums = 0;
      for (const r of types.values()) {
        if (r.kind !== 'LF_ENUM' || /forward ref/.test(r.body.join())) continue;
        const e = table.enumeration(table.typeName(r.index));
        assert.ok(e, `enum ${r.name}`);
        const expected = new Map(llvmEnumerates(types.get(hexField(r, 'field list')!)).map((c) => [c.name, c.value]));
        assert.deepEqual(e.constants, expected, `enum ${r.name}`);
        const underlying = /underlying type: (0x[0-9A-F]+)/.exec(r.body.join())!;
        assert.equal(e.size, table.sizeOfIndex(parseInt(underlying[1]!, 16)));
        enums++;
      }
      assert.equal(enums, [...table.enumNames()].length);
      assert.ok(enums > 50, `${enums} enums compared`);
    });

    it('every public symbol: name, section:offset, and the RVA from the section headers', () => {
      const truth = llvmPublics(fixture.file);
      const vas = llvmSectionVas(fixture.file);
      assert.deepEqual(
        pdb().sections.map((s) => s.virtualAddress),
        vas,
      );
      const key = (p: { name: string; segment: number; offset: number }) => `${p.name} ${p.segment}:${p.offset}`;
      assert.deepEqual(pdb().publics.map(key).sort(), truth.map(key).sort());
      for (const p of pdb().publics)
        assert.equal(p.rva, p.segment >= 1 && p.segment <= vas.length ? vas[p.segment - 1]! + p.offset : undefined, p.name);
      // symbol(): stripped names as pdbconv keys them, the RVA as the value (last record wins, as in pdbconv's dict).
      const last = new Map<string, number>();
      for (const p of pdb().publics) if (p.rva !== undefined) last.set(stripSymbolName(p.name), p.rva);
      for (const [name, rva] of last) assert.equal(table.symbol(name), BigInt(rva), name);
      assert.ok(truth.length > 200, `${truth.length} publics compared`);
    });

    it('writes an ISF that memscope reads back as the same table', () => {
      const isf = parseIsf(pdbIsfText(table, 'test'), `${fixture.file}.json`);
      assert.deepEqual(isf.identity, table.identity);
      assert.equal(isf.pointerSize, table.pointerSize);
      for (const name of table.structNames()) assert.deepEqual(isf.struct(name), table.struct(name), name);
      for (const name of table.enumNames()) assert.deepEqual(isf.enumeration(name), table.enumeration(name), name);
      for (const [name] of table.symbolEntries()) assert.equal(isf.symbol(name), table.symbol(name), name);
      const json = JSON.parse(pdbIsfText(table, 'test'));
      assert.equal(json.metadata.windows.pdb.machine_type, fixture.file === 'crash.pdb' ? 0x14c : 0x8664);
      assert.equal(json.symbols['_guard_check_icall']?.linkage_name, fixture.file === 'crash.pdb' ? '@_guard_check_icall@4' : undefined);
    });
  });
}

// ---------- the symbol stores take a PDB where they take an ISF ----------

describe('PDBs in the symbol stores', { skip }, () => {
  const { file, guid, age } = FIXTURES[0]!;
  const key = pdbKey(file, guid, age);

  it('a PDB dropped in the page is recognised by content and filed under its name, GUID and age', async () => {
    const found = await identifyIsf(fixtureBytes(file), file);
    assert.equal(found.key, key);
    const store = new MemorySymbolStore();
    await store.putFile(file, fixtureBytes(file));
    assert.equal((await store.get(key))?.struct('tagARRAYDESC')?.size, 20);
    assert.equal((await store.file(key))?.name, file);
  });

  it('-s DIR: windows/<pdb>/<GUID>-<AGE>.pdb is found and keyed by the folder name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-pdb-'));
    try {
      mkdirSync(join(dir, 'windows', file), { recursive: true });
      copyFileSync(testDataPath('fixtures', 'pdb', file), join(dir, 'windows', file, `${guid.replace(/-/g, '')}-${age}.pdb`));
      const table = await new DirectorySymbolStore(dir).get(key);
      assert.ok(table instanceof PdbSymbolTable);
      assert.deepEqual(table.identity, { kind: 'pdb', pdbName: file, guid: guid.replace(/-/g, ''), age });
      assert.equal(await new DirectorySymbolStore(dir).get(pdbKey(file, guid, age + 1)), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------- hostile PDBs: CORRUPT naming the file, or skipped records; never a hang or a huge allocation ----------

function isCorrupt(code: ErrorCode, ...mentions: string[]) {
  return (e: unknown) => {
    assert.ok(isMemscopeError(e), `expected a MemscopeError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const text of mentions) assert.ok(e.message.includes(text), `"${e.message}" should mention "${text}"`);
    return true;
  };
}

/** Test-side MSF directory reading: the file offsets of stream `n`'s blocks. */
function streamBlockOffsets(bytes: Uint8Array, n: number): { directory: number; blocks: number[] } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blockSize = dv.getUint32(32, true);
  const directory = dv.getUint32(dv.getUint32(52, true) * blockSize, true) * blockSize; // assumes a one-block directory start
  const streams = dv.getUint32(directory, true);
  let at = directory + 4 + 4 * streams;
  for (let i = 0; i < n; i++) at += 4 * Math.ceil(Math.max(dv.getUint32(directory + 4 + 4 * i, true), 0) / blockSize);
  const count = Math.ceil(dv.getUint32(directory + 4 + 4 * n, true) / blockSize);
  return { directory, blocks: Array.from({ length: count }, (_, i) => dv.getUint32(at + 4 * i, true) * blockSize) };
}

/** A TPI stream of hand-built records (`kind`, body) starting at type index 0x1000. */
function tpiStream(records: [number, number[]][]): Uint8Array {
  const body = records.flatMap(([kind, data]) => {
    const rec = [kind & 0xff, kind >> 8, ...data];
    while ((rec.length + 2) % 4) rec.push(0xf0 | (4 - ((rec.length + 2) % 4)));
    return [rec.length & 0xff, rec.length >> 8, ...rec];
  });
  const header = new DataView(new ArrayBuffer(56));
  header.setUint32(0, 20040203, true);
  header.setUint32(4, 56, true);
  header.setUint32(8, 0x1000, true);
  header.setUint32(12, 0x1000 + records.length, true);
  header.setUint32(16, body.length, true);
  return new Uint8Array([...new Uint8Array(header.buffer), ...body]);
}

const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
const cstr = (s: string) => [...s].map((c) => c.charCodeAt(0)).concat(0);

/** A table over a hand-built TPI stream (no other streams needed). */
function tableOver(tpi: Uint8Array): PdbSymbolTable {
  const types = parseTypeStream(tpi, 'hostile.pdb', 'TPI stream');
  const pdb: ParsedPdb = {
    fileName: 'hostile.pdb',
    info: { version: 20000404, signature: 0, age: 1, guid: '0'.repeat(32), namedStreams: new Map() },
    dbi: {
      age: 1,
      machine: 0x8664,
      globalStream: 0xffff,
      publicStream: 0xffff,
      symbolRecordStream: 0xffff,
      sectionHeaderStream: 0xffff,
      sectionHeaderOrigStream: 0xffff,
      omapFromSrcStream: 0xffff,
    },
    types,
    sections: [],
    publics: [],
    database: 'hostile.pdb',
  };
  return new PdbSymbolTable(pdb, 'hostile.pdb');
}

describe('memscope -f FILE.pdb pdb-isf', { skip }, () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

  it('prints the PDB as an ISF with its identity; a file that is no PDB is one line on stderr, status 1', async () => {
    const file = testDataPath('fixtures/pdb/crash.pdb');
    const r = cli('-f', file, 'pdb-isf');
    assert.equal(r.status, 0, r.stderr);
    const isf = parseIsf(r.stdout, 'crash.json');
    const table = await loadPdb(readFileSync(file), 'crash.pdb');
    assert.deepEqual(isf.identity, table.identity);
    const symbols = [...table.symbolEntries()];
    assert.ok(symbols.length > 100);
    for (const [name] of symbols) assert.equal(isf.symbol(name), table.symbol(name), name);
    const bad = cli('-f', 'package.json', 'pdb-isf');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^memscope: package\.json: not a valid PDB/);
  });
});

describe('hostile PDBs', { skip }, () => {
  it('a truncated file is CORRUPT, naming the file', async () => {
    const bytes = fixtureBytes('crash.pdb');
    for (const cut of [10, 100, 4096, bytes.length >> 1, bytes.length - 1]) {
      await assert.rejects(loadPdb(bytes.subarray(0, cut), 'cut.pdb'), isCorrupt('CORRUPT', 'cut.pdb'));
    }
    await assert.rejects(loadPdb(new TextEncoder().encode('{"metadata": {}}'), 'not.pdb'), isCorrupt('CORRUPT', 'not.pdb', 'MSF 7.00'));
  });

  it('a directory claiming 2^31 streams, or a block past the file, is CORRUPT', () => {
    const bytes = fixtureBytes('crash.pdb').slice();
    const { directory } = streamBlockOffsets(bytes, 0);
    new DataView(bytes.buffer).setUint32(directory, 0x80000000, true);
    assert.throws(() => parsePdb(bytes, 'streams.pdb'), isCorrupt('CORRUPT', 'streams.pdb', '2147483648 streams'));
    const block = fixtureBytes('crash.pdb').slice();
    const dv = new DataView(block.buffer);
    new DataView(block.buffer).setUint32(52, dv.getUint32(40, true) + 5, true); // block map address past the end
    assert.throws(() => parsePdb(block, 'map.pdb'), isCorrupt('CORRUPT', 'map.pdb', 'past the end'));
  });

  it('a TPI header claiming more record bytes than the stream, or a record running past the stream, is CORRUPT', () => {
    const bytes = fixtureBytes('crash.pdb').slice();
    const tpi = streamBlockOffsets(bytes, 2).blocks[0]!;
    new DataView(bytes.buffer).setUint32(tpi + 16, 0x7fffffff, true);
    assert.throws(() => parsePdb(bytes, 'tpi.pdb'), isCorrupt('CORRUPT', 'tpi.pdb', 'TPI stream'));

    const stream = tpiStream([[0x1002, [...u32(0x74), ...u32(0x1000c)]]]);
    new DataView(stream.buffer).setUint16(56, 0x400, true); // the record's length: far past the stream's end
    assert.throws(() => parseTypeStream(stream, 'len.pdb', 'TPI stream'), isCorrupt('CORRUPT', 'len.pdb', 'runs past the end'));
    const cut = tpiStream([[0x1002, [...u32(0x74), ...u32(0x1000c)]]]);
    assert.throws(() => parseTypeStream(cut.subarray(0, cut.length - 2), 'cut.pdb', 'TPI stream'), isCorrupt('CORRUPT', 'cut.pdb'));
  });

  it('a field list continuing into itself, a struct whose field list is itself, unknown and malformed records: skipped, no hang', () => {
    const LF_MEMBER = [...u16(0x150d), ...u16(3), ...u32(0x74), ...u16(8), ...cstr('x')];
    const pad = (a: number[]): number[] => {
      const n = (4 - (a.length % 4)) % 4;
      return [...a, ...Array.from({ length: n }, (_, i) => 0xf0 | (n - i))];
    };
    const table = tableOver(
      tpiStream([
        // 0x1000: LF_FIELDLIST { member x: int @ 8; LF_INDEX → 0x1000 (itself) }
        [0x1203, [...pad(LF_MEMBER), ...u16(0x1404), ...u16(0), ...u32(0x1000)]],
        // 0x1001: LF_STRUCTURE S, field list 0x1000, size 16
        [0x1505, [...u16(1), ...u16(0), ...u32(0x1000), ...u32(0), ...u32(0), ...u16(16), ...cstr('S')]],
        // 0x1002: LF_STRUCTURE T whose field list is the structure itself
        [0x1505, [...u16(1), ...u16(0), ...u32(0x1002), ...u32(0), ...u32(0), ...u16(4), ...cstr('T')]],
        // 0x1003: a record kind no PDB reader knows; 0x1004: LF_SUBSTR_LIST (pdbconv's "Unhandled leaf_type: 5636")
        [0x7777, [1, 2, 3, 4]],
        [0x1604, [...u32(0)]],
        // 0x1005: LF_STRUCTURE cut short (no size, no name)
        [0x1505, [...u16(1)]],
        // 0x1006: LF_FIELDLIST with an unknown sub-record after a member: the member is kept
        [0x1203, [...pad(LF_MEMBER), ...u16(0x1999), 0, 0]],
      ]),
    );
    assert.deepEqual(table.struct('S'), { kind: 'struct', size: 16, fields: new Map([['x', { offset: 8, type: { kind: 'base', name: 'int' } }]]) });
    assert.deepEqual(table.struct('T'), { kind: 'struct', size: 4, fields: new Map() });
    assert.deepEqual(table.pdb.types.get(0x1003), { leaf: 'other', kind: 0x7777 });
    assert.deepEqual(table.pdb.types.get(0x1004), { leaf: 'other', kind: 0x1604 });
    assert.deepEqual(table.pdb.types.get(0x1005), { leaf: 'other', kind: 0x1505 });
    assert.equal(table.pdb.types.fieldList(0x1006).members.length, 1);
  });

  it('a pointer or modifier that refers to itself is CORRUPT, not an endless descriptor', () => {
    const member = [...u16(0x150d), ...u16(3), ...u32(0x1000), ...u16(0), ...cstr('p')];
    const stream = tpiStream([
      [0x1002, [...u32(0x1000), ...u32(0x1000c)]], // 0x1000: LF_POINTER to itself
      [0x1203, member], // 0x1001: field list { p: 0x1000 }
      [0x1505, [...u16(1), ...u16(0), ...u32(0x1001), ...u32(0), ...u32(0), ...u16(8), ...cstr('P')]],
    ]);
    assert.throws(() => tableOver(stream), isCorrupt('CORRUPT', 'hostile.pdb', 'nests deeper'));
  });
});
