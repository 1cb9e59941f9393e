import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError, type ErrorCode } from '../../src/errors.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { parseBtf } from '../../src/symbols/btf.ts';
import type { TypeDescriptor } from '../../src/symbols/symbol-table.ts';
import { BTF_HEADER_SIZE, BtfWriter } from '../helpers/btf-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const INT: TypeDescriptor = { kind: 'base', name: 'int' };
const UINT: TypeDescriptor = { kind: 'base', name: 'unsigned int' };
const VOID: TypeDescriptor = { kind: 'base', name: 'void' };

function isCode(code: ErrorCode) {
  return (e: unknown) => isMemscopeError(e) && e.code === code;
}

/** Base types as pahole writes them for x86-64 (no BTF_INT_CHAR flag on the char types). */
function baseTypes(w: BtfWriter) {
  return {
    int: w.int('int', 4, { signed: true }),
    uint: w.int('unsigned int', 4),
    char: w.int('char', 1, { signed: true }),
    uchar: w.int('unsigned char', 1),
    bool: w.int('_Bool', 1, { bool: true }),
    ulong: w.int('long unsigned int', 8),
    ullong: w.int('long long unsigned int', 8),
    long: w.int('long int', 8, { signed: true }),
    double: w.float('double', 8),
  };
}

/** A task-like struct touching every kind, typedef chains, modifiers, arrays, anonymous members and aliases. */
function sample() {
  const w = new BtfWriter();
  const t = baseTypes(w);
  const kernelPid = w.typedef('__kernel_pid_t', t.int);
  const pid = w.typedef('pid_t', kernelPid);
  const constPid = w.const(pid);
  const comm = w.array(t.char, 16);
  const grid = w.array(w.array(t.uint, 3), 2); // unsigned int grid[2][3]
  w.fwd('list_head');
  const listHeadPtr = w.ptr(0); // struct list_head *, retargeted below
  const listHead = w.struct('list_head', 16, [
    ['next', listHeadPtr, 0],
    ['prev', listHeadPtr, 64],
  ]);
  w.retarget(listHeadPtr, listHead);
  const listHeadT = w.typedef('list_head_t', listHead);
  const atomic = w.typedef('atomic_t', w.struct('', 4, [['counter', t.int, 0]]));
  const deep = w.struct('', 8, [
    ['deep_a', t.uint, 0],
    ['deep_b', t.uint, 32],
  ]);
  const anonUnion = w.union('', 8, [
    ['alt', t.ullong, 0],
    ['', deep, 0],
  ]);
  const namedAnon = w.struct('', 4, [['x', t.int, 0]]);
  const state = w.enum(
    'state',
    4,
    [
      ['RUNNING', 0],
      ['DEAD', -1],
    ],
    true,
  );
  const anonEnum = w.enum('', 4, [['FIRST', 1]]);
  const proto = w.funcProto(t.int, [
    ['arg', t.int],
    ['', 0],
  ]);
  w.func('do_work', proto);
  const callback = w.ptr(proto);
  const voidPtr = w.ptr(0);
  const taskPtr = w.ptr(0); // struct task *, retargeted below
  const constTaskPtr = w.const(taskPtr);
  const restrictChar = w.restrict(w.ptr(t.char));
  const userPtr = w.ptr(w.typeTag('user', t.char));
  const counter = w.variable('counter', t.int);
  w.datasec('.data', 8, [
    [counter, 0, 4],
    [counter, 4, 4],
  ]);
  w.declTag('hot', pid);
  const onlyFwd = w.ptr(w.fwd('only_fwd'));
  const volatileU = w.volatile(t.uint);
  const task = w.struct('task', 160, [
    ['pid', constPid, 0], // 0
    ['comm', comm, 32], // 4
    ['tasks', listHead, 192], // 24
    ['', anonUnion, 320], // 40: alt 40, deep_a 40, deep_b 44
    ['grid', grid, 384], // 48
    ['anon', namedAnon, 576], // 72
    ['st', state, 608], // 76
    ['kind', anonEnum, 640], // 80
    ['refs', atomic, 672], // 84
    ['cb', callback, 704], // 88
    ['priv', voidPtr, 768], // 96
    ['self', constTaskPtr, 832], // 104
    ['name', restrictChar, 896], // 112
    ['ubuf', userPtr, 960], // 120
    ['v', volatileU, 1024], // 128
    ['list', listHeadT, 1088], // 136
    ['fwd', onlyFwd, 1216], // 152
  ]);
  w.retarget(taskPtr, task);
  return { w, t, task, namedAnon, anonEnum, bytes: w.build() };
}

describe('BTF: types', () => {
  it('base types by their own names, plus pointer and void', () => {
    const btf = parseBtf(sample().bytes, 'test');
    assert.deepEqual(btf.baseType('int'), { size: 4, signed: true, kind: 'int' });
    assert.deepEqual(btf.baseType('unsigned int'), { size: 4, signed: false, kind: 'int' });
    assert.deepEqual(btf.baseType('char'), { size: 1, signed: true, kind: 'char' });
    assert.deepEqual(btf.baseType('unsigned char'), { size: 1, signed: false, kind: 'char' });
    assert.deepEqual(btf.baseType('_Bool'), { size: 1, signed: false, kind: 'bool' });
    assert.deepEqual(btf.baseType('long long unsigned int'), { size: 8, signed: false, kind: 'int' });
    assert.deepEqual(btf.baseType('double'), { size: 8, signed: true, kind: 'float' });
    assert.deepEqual(btf.baseType('pointer'), { size: 8, signed: false, kind: 'int' });
    assert.deepEqual(btf.baseType('void'), { size: 0, signed: false, kind: 'void' });
    assert.equal(btf.baseType('pid_t'), undefined, 'typedefs are resolved through, not base types');
    assert.equal(btf.pointerSize, 8);
    assert.equal(btf.origin, 'test');
  });

  it('walks every kind: the type count and the struct after them are right', () => {
    const s = sample();
    const btf = parseBtf(s.bytes, 'test');
    assert.equal(btf.typeCount, s.task);
    assert.equal(btf.struct('task')!.size, 160);
    assert.equal(btf.struct('task')!.fields.size, 19);
  });

  it('resolves typedef chains and const/volatile/restrict/type_tag; pointers, arrays of arrays, function pointers', () => {
    const btf = parseBtf(sample().bytes, 'test');
    const f = btf.struct('task')!.fields;
    assert.deepEqual(f.get('pid'), { offset: 0, type: INT });
    assert.deepEqual(f.get('comm'), { offset: 4, type: { kind: 'array', count: 16, subtype: { kind: 'base', name: 'char' } } });
    assert.deepEqual(f.get('grid'), { offset: 48, type: { kind: 'array', count: 2, subtype: { kind: 'array', count: 3, subtype: UINT } } });
    assert.equal(btf.sizeOf(f.get('grid')!.type), 24);
    assert.deepEqual(f.get('cb')!.type, { kind: 'pointer', subtype: { kind: 'function' } });
    assert.deepEqual(f.get('priv')!.type, { kind: 'pointer', subtype: VOID });
    assert.deepEqual(f.get('self')!.type, { kind: 'pointer', subtype: { kind: 'struct', name: 'task' } });
    assert.deepEqual(f.get('name')!.type, { kind: 'pointer', subtype: { kind: 'base', name: 'char' } });
    assert.deepEqual(f.get('ubuf')!.type, { kind: 'pointer', subtype: { kind: 'base', name: 'char' } });
    assert.deepEqual(f.get('v'), { offset: 128, type: UINT });
    assert.deepEqual(f.get('tasks'), { offset: 24, type: { kind: 'struct', name: 'list_head' } });
    assert.deepEqual(f.get('list'), { offset: 136, type: { kind: 'struct', name: 'list_head' } }, 'a typedef of a named struct is the struct');
    assert.equal(btf.struct('list_head_t'), undefined);
    assert.deepEqual(btf.struct('list_head')!.fields.get('prev'), {
      offset: 8,
      type: { kind: 'pointer', subtype: { kind: 'struct', name: 'list_head' } },
    });
    assert.equal(btf.sizeOf({ kind: 'array', count: 4, subtype: { kind: 'struct', name: 'list_head' } }), 64);
  });

  it('flattens anonymous unions and structs with their offsets; names anonymous types', () => {
    const s = sample();
    const btf = parseBtf(s.bytes, 'test');
    const f = btf.struct('task')!.fields;
    assert.deepEqual(f.get('alt'), { offset: 40, type: { kind: 'base', name: 'long long unsigned int' } });
    assert.deepEqual(f.get('deep_a'), { offset: 40, type: UINT });
    assert.deepEqual(f.get('deep_b'), { offset: 44, type: UINT });
    assert.deepEqual(f.get('anon'), { offset: 72, type: { kind: 'struct', name: `unnamed_struct_${s.namedAnon}` } });
    assert.deepEqual(btf.struct(`unnamed_struct_${s.namedAnon}`), { kind: 'struct', size: 4, fields: new Map([['x', { offset: 0, type: INT }]]) });
    assert.equal(btf.struct(`unnamed_union_${s.namedAnon}`), undefined, 'the kind in the name must match');
    assert.equal(btf.struct(`unnamed_struct_${s.task}`), undefined, 'a named type has no unnamed_ name');
    // typedef struct { int counter; } atomic_t: named after the typedef, as dwarf2json does.
    assert.deepEqual(f.get('refs'), { offset: 84, type: { kind: 'struct', name: 'atomic_t' } });
    assert.deepEqual(btf.struct('atomic_t'), { kind: 'struct', size: 4, fields: new Map([['counter', { offset: 0, type: INT }]]) });
  });

  it('named members win over flattened ones; flattening nests and adds offsets at every level', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    const innermost = w.struct('', 8, [
      ['leaf', t.ulong, 0],
      ['clash', t.char, 0],
    ]);
    const middle = w.union('', 16, [
      ['', innermost, 64],
      ['mid', t.int, 0],
    ]);
    const outer = w.struct('', 24, [
      ['pad', t.ulong, 0],
      ['', middle, 64],
    ]);
    w.struct('host', 40, [
      ['clash', t.int, 0],
      ['', outer, 64],
    ]);
    const f = parseBtf(w.build(), 'test').struct('host')!.fields;
    assert.deepEqual(f.get('clash'), { offset: 0, type: INT });
    assert.equal(f.get('pad')!.offset, 8);
    assert.equal(f.get('mid')!.offset, 16);
    assert.deepEqual(f.get('leaf'), { offset: 24, type: { kind: 'base', name: 'long unsigned int' } });
    assert.equal(f.size, 4);
  });

  it('bitfields with kind_flag: offset of the storage unit, bit position inside it', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    const state = w.enum('state', 4, [['ON', 1]]);
    const inner = w.struct('', 4, [
      ['g', t.uint, 0, 1],
      ['h', t.uint, 1, 2],
    ]);
    w.struct('bits', 24, [
      ['a', t.uint, 0, 3],
      ['b', t.uint, 3, 5],
      ['c', t.uint, 32, 30],
      ['d', t.uchar, 62, 2],
      ['e', t.ullong, 69, 20],
      ['s', state, 128, 4],
      ['', inner, 160],
    ]);
    w.struct('packed', 5, [
      ['p', t.uint, 0, 28],
      ['q', t.uint, 28, 8],
    ]);
    const btf = parseBtf(w.build(), 'test');
    const f = btf.struct('bits')!.fields;
    const bitfield = (offset: number, bit_position: number, bit_length: number, type: TypeDescriptor = UINT) => ({
      offset,
      type: { kind: 'bitfield', bit_position, bit_length, type },
    });
    assert.deepEqual(f.get('a'), bitfield(0, 0, 3));
    assert.deepEqual(f.get('b'), bitfield(0, 3, 5));
    assert.deepEqual(f.get('c'), bitfield(4, 0, 30));
    assert.deepEqual(f.get('d'), bitfield(7, 6, 2, { kind: 'base', name: 'unsigned char' }));
    assert.deepEqual(f.get('e'), bitfield(8, 5, 20, { kind: 'base', name: 'long long unsigned int' }));
    assert.deepEqual(f.get('s'), bitfield(16, 0, 4, { kind: 'enum', name: 'state' }));
    assert.deepEqual(f.get('g'), bitfield(20, 0, 1));
    assert.deepEqual(f.get('h'), bitfield(20, 1, 2));
    assert.equal(btf.sizeOf(f.get('e')!.type), 8);
    // q spans bytes 3..4 of a packed struct: read from its first byte.
    assert.deepEqual(btf.struct('packed')!.fields.get('q'), bitfield(3, 4, 8));
  });

  it('bitfields without kind_flag: the width and offset come from a narrow INT', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    const three = w.int('unsigned int', 4, { bits: 3 });
    const five = w.int('unsigned int', 4, { bits: 5 });
    const shifted = w.int('unsigned int', 4, { bits: 4, offset: 2 });
    w.struct(
      'old',
      8,
      [
        ['a', three, 0],
        ['b', five, 35],
        ['c', shifted, 40],
        ['plain', t.uchar, 56],
        ['whole', t.uint, 0],
      ],
      { kindFlag: false },
    );
    const btf = parseBtf(w.build(), 'test');
    const f = btf.struct('old')!.fields;
    assert.deepEqual(f.get('a'), { offset: 0, type: { kind: 'bitfield', bit_position: 0, bit_length: 3, type: UINT } });
    assert.deepEqual(f.get('b'), { offset: 4, type: { kind: 'bitfield', bit_position: 3, bit_length: 5, type: UINT } });
    assert.deepEqual(f.get('c'), { offset: 4, type: { kind: 'bitfield', bit_position: 10, bit_length: 4, type: UINT } });
    assert.deepEqual(f.get('plain'), { offset: 7, type: { kind: 'base', name: 'unsigned char' } });
    assert.deepEqual(f.get('whole'), { offset: 0, type: UINT });
    assert.equal(btf.baseType('unsigned int')!.size, 4);
  });

  it('enums: signed, unsigned, 64-bit, anonymous, packed; base chosen as dwarf2json does', () => {
    const s = sample();
    const w = s.w;
    w.enum('flags', 4, [
      ['LOW', 1],
      ['HIGH', 0x80000000],
    ]);
    w.enum('positive_signed', 4, [['ONE', 1]], true);
    w.enum('tiny', 1, [['T', 3]]);
    w.enum64('big', [
      ['HUGE', 0x1_0000_0002n],
      ['TOP', 0xffff_ffff_0000_0000n],
    ]);
    w.enum64(
      'bigneg',
      [
        ['NEG', -5n],
        ['MIN', -(1n << 40n)],
      ],
      true,
    );
    w.enum('big', 0, []); // a later forward declaration does not replace the definition
    const btf = parseBtf(w.build(), 'test');
    assert.deepEqual(btf.enumeration('state'), {
      size: 4,
      base: 'int',
      constants: new Map([
        ['RUNNING', 0],
        ['DEAD', -1],
      ]),
    });
    assert.deepEqual(btf.enumeration('flags'), {
      size: 4,
      base: 'unsigned int',
      constants: new Map([
        ['LOW', 1],
        ['HIGH', 0x80000000],
      ]),
    });
    assert.equal(btf.enumeration('positive_signed')!.base, 'unsigned int', 'signed only when a constant is negative');
    assert.deepEqual(btf.enumeration('tiny'), { size: 1, base: 'unsigned char', constants: new Map([['T', 3]]) });
    assert.deepEqual(btf.enumeration('big'), {
      size: 8,
      base: 'long long unsigned int', // first in sorted order of the 8-byte unsigned ints
      constants: new Map([
        ['HUGE', 0x1_0000_0002],
        ['TOP', Number(0xffff_ffff_0000_0000n)],
      ]),
    });
    assert.deepEqual(btf.enumeration('bigneg'), {
      size: 8,
      base: 'long int',
      constants: new Map([
        ['NEG', -5],
        ['MIN', -(2 ** 40)],
      ]),
    });
    assert.deepEqual(btf.struct('task')!.fields.get('kind'), { offset: 80, type: { kind: 'enum', name: `unnamed_enum_${s.anonEnum}` } });
    assert.deepEqual(btf.enumeration(`unnamed_enum_${s.anonEnum}`)!.constants, new Map([['FIRST', 1]]));
    for (const name of ['state', 'flags', 'tiny', 'big', 'bigneg']) {
      const e = btf.enumeration(name)!;
      assert.equal(btf.baseType(e.base)!.size, e.size, `${name}: base ${e.base} exists and has the enum's size`);
    }
  });

  it('a forward declaration or an empty duplicate never hides the full struct', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    w.struct('dup', 0, []);
    w.fwd('dup');
    w.struct('dup', 8, [['value', t.ulong, 0]]);
    w.struct('dup', 0, []);
    w.struct('holder', 8, [['p', w.ptr(w.fwd('lonely')), 0]]);
    const btf = parseBtf(w.build(), 'test');
    assert.deepEqual(btf.struct('dup'), {
      kind: 'struct',
      size: 8,
      fields: new Map([['value', { offset: 0, type: { kind: 'base', name: 'long unsigned int' } }]]),
    });
    assert.equal(btf.struct('lonely'), undefined);
    const p = btf.struct('holder')!.fields.get('p')!;
    assert.deepEqual(p.type, { kind: 'pointer', subtype: { kind: 'struct', name: 'lonely' } });
    assert.equal(btf.sizeOf(p.type), 8);
    assert.throws(() => btf.sizeOf({ kind: 'struct', name: 'lonely' }), isCode('SYMBOLS_INVALID'));
  });

  it('typeNames lists every name the table answers, once each and resolvable', () => {
    const s = sample();
    const btf = parseBtf(s.bytes, 'test');
    const names = [...btf.typeNames()];
    const key = (n: { kind: string; name: string }) => `${n.kind}:${n.name}`;
    assert.equal(new Set(names.map(key)).size, names.length, 'no duplicates');
    const expectedNames = ['aggregate:task', 'aggregate:list_head', 'aggregate:atomic_t', `aggregate:unnamed_struct_${s.namedAnon}`];
    expectedNames.push('enum:state', `enum:unnamed_enum_${s.anonEnum}`, 'base:void', 'base:pointer', 'base:double');
    for (const expected of expectedNames) {
      assert.ok(
        names.some((n) => key(n) === expected),
        expected,
      );
    }
    assert.ok(!names.some((n) => n.name === 'only_fwd' || n.name === 'pid_t'));
    for (const { kind, name } of names) {
      const found = kind === 'aggregate' ? btf.struct(name) : kind === 'enum' ? btf.enumeration(name) : btf.baseType(name);
      assert.ok(found, `${kind} ${name}`);
    }
  });
});

describe('BTF: corrupt and hostile data', () => {
  const bytes = sample().bytes;
  const typeLen = new DataView(bytes.buffer).getUint32(12, true);
  const patched = (patch: (dv: DataView, b: Uint8Array) => Uint8Array | void): Uint8Array => {
    const copy = bytes.slice();
    return patch(new DataView(copy.buffer), copy) ?? copy;
  };

  it('refuses a bad header or section table with SYMBOLS_INVALID', () => {
    const cases: [string, (dv: DataView, b: Uint8Array) => Uint8Array | void][] = [
      ['bad magic', (dv) => dv.setUint16(0, 0x1234, true)],
      ['shorter than the header', (_, b) => b.subarray(0, 20)],
      ['hdr_len too small', (dv) => dv.setUint32(4, 8, true)],
      ['hdr_len past the end', (dv) => dv.setUint32(4, 1 << 30, true)],
      ['type_len past the end', (dv) => dv.setUint32(12, 1 << 30, true)],
      ['type_len a little past the end', (dv, b) => dv.setUint32(12, b.length, true)],
      ['str_off past the end', (dv) => dv.setUint32(16, 0xffffff00, true)],
      ['str_len past the end', (dv) => dv.setUint32(20, 1 << 20, true)],
      ['unaligned type_off', (dv) => dv.setUint32(8, 2, true)],
      ['overlapping sections', (dv) => dv.setUint32(16, 0, true)],
      ['cut inside the type section', (_, b) => b.subarray(0, BTF_HEADER_SIZE + 100)],
      ['type section ending inside a type', (dv) => dv.setUint32(12, typeLen - 4, true)],
      ['string section without its final NUL', (_, b) => void (b[b.length - 1] = 0x41)],
      ['type name outside the string section', (dv) => dv.setUint32(BTF_HEADER_SIZE, 0xfffff, true)],
      ['unknown kind', (dv) => dv.setUint32(BTF_HEADER_SIZE + 4, 25 << 24, true)],
    ];
    for (const [what, patch] of cases) {
      assert.throws(
        () => parseBtf(patched(patch), 'corrupt.btf'),
        (e) => isCode('SYMBOLS_INVALID')(e) && (e as Error).message.startsWith('corrupt.btf: kernel BTF'),
        what,
      );
    }
  });

  it('refuses big-endian BTF and unknown versions as UNSUPPORTED', () => {
    assert.throws(
      () =>
        parseBtf(
          patched((_, b) => b.set([0xeb, 0x9f])),
          't',
        ),
      (e) => isCode('UNSUPPORTED')(e) && /big-endian/.test((e as Error).message),
    );
    assert.throws(
      () =>
        parseBtf(
          patched((dv) => dv.setUint8(2, 2)),
          't',
        ),
      isCode('UNSUPPORTED'),
    );
  });

  it('dangling ids become void, typedef and pointer cycles stay bounded', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    const self = w.typedef('self', 0);
    w.retarget(self, self);
    const a = w.typedef('a', 0);
    const b = w.typedef('b', a);
    w.retarget(a, w.const(b));
    const loop = w.ptr(0);
    w.retarget(loop, loop);
    w.struct('s', 40, [
      ['selfish', self, 0],
      ['loop', b, 32],
      ['dangling', 999, 64],
      ['dangling_ptr', w.ptr(12345), 128],
      ['dangling_array', w.array(777, 2), 192],
      ['pp', loop, 256],
      ['ok', t.int, 288],
    ]);
    const btf = parseBtf(w.build(), 't');
    const f = btf.struct('s')!.fields;
    assert.deepEqual(f.get('selfish')!.type, VOID);
    assert.deepEqual(f.get('loop')!.type, VOID);
    assert.deepEqual(f.get('dangling')!.type, VOID);
    assert.deepEqual(f.get('dangling_ptr')!.type, { kind: 'pointer', subtype: VOID });
    assert.deepEqual(f.get('dangling_array')!.type, { kind: 'array', count: 2, subtype: VOID });
    assert.equal(btf.sizeOf(f.get('pp')!.type), 8);
    assert.deepEqual(f.get('ok'), { offset: 36, type: INT });
  });

  it('anonymous members that contain themselves or explode combinatorially stop', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    const cyclic = w.struct('', 8, [
      ['x', t.int, 0],
      ['', 0, 32],
    ]);
    w.setMemberType(cyclic, 1, cyclic);
    w.struct('cycle_host', 8, [['', cyclic, 0]]);
    // Five levels of 200 anonymous members each: 200^5 members if expanded.
    let level = w.struct('', 4, [['leaf', t.int, 0]]);
    for (let i = 0; i < 5; i++)
      level = w.union(
        '',
        4,
        Array.from({ length: 200 }, () => ['', level, 0] as const),
      );
    w.struct('bomb', 4, [['', level, 0]]);
    const btf = parseBtf(w.build(), 't');
    assert.deepEqual([...btf.struct('cycle_host')!.fields.keys()], ['x']);
    const started = performance.now();
    assert.throws(
      () => btf.struct('bomb'),
      (e) => isCode('SYMBOLS_INVALID')(e) && /bomb/.test((e as Error).message),
    );
    assert.ok(performance.now() - started < 2000);
  });

  it('a member name outside the string section is an error for that struct only', () => {
    const w = new BtfWriter();
    const t = baseTypes(w);
    w.type('bad', 4, 1, false, 4, [0xffff, t.int, 0]);
    w.struct('good', 4, [['x', t.int, 0]]);
    const btf = parseBtf(w.build(), 't');
    assert.throws(() => btf.struct('bad'), isCode('SYMBOLS_INVALID'));
    assert.equal(btf.struct('good')!.fields.get('x')!.offset, 0);
  });
});

describe('BTF of the real kernel', { skip: linuxFixtureSkipReason() }, () => {
  let blob: Promise<Uint8Array> | undefined;
  /** The blob's place comes from truth.json here; memscope finds it through kallsyms (__start_BTF). */
  const kernelBtfBytes = () =>
    (blob ??= (async () => {
      const at = (linuxTruth()['kernel'] as { derived_from_raw: { btf: { start_phys: string; size: number } } }).derived_from_raw.btf;
      const source = await NodeFileSource.open(await linuxFixtureFile('linux-a.raw'));
      try {
        return await source.read(Number(at.start_phys), at.size);
      } finally {
        await source.close();
      }
    })());

  it('agrees with the struct sizes and member offsets the kernel wrote into VMCOREINFO', async (t) => {
    const truth = linuxTruth();
    const bytes = await kernelBtfBytes();
    let started = performance.now();
    const btf = parseBtf(bytes, 'linux-a BTF');
    const parseMs = performance.now() - started;
    started = performance.now();
    const task = btf.struct('task_struct')!;
    const firstLookupMs = performance.now() - started;
    t.diagnostic(
      `${bytes.length} bytes, ${btf.typeCount} types: parse + index ${parseMs.toFixed(1)} ms; name index + task_struct ${firstLookupMs.toFixed(1)} ms`,
    );

    const matched: string[] = [];
    const skipped: string[] = [];
    for (const [key, value] of Object.entries(truth.vmcoreinfo.fields)) {
      const size = /^SIZE\((\w+)\)$/.exec(key);
      const offset = /^OFFSET\((\w+)\.(\w+)\)$/.exec(key);
      if (size && btf.struct(size[1]!)) {
        assert.equal(btf.struct(size[1]!)!.size, Number(value), key);
        matched.push(key);
      } else if (offset && btf.struct(offset[1]!)?.fields.has(offset[2]!)) {
        assert.equal(btf.struct(offset[1]!)!.fields.get(offset[2]!)!.offset, Number(value), key);
        matched.push(key);
      } else if (size || offset) {
        skipped.push(key);
      }
    }
    t.diagnostic(`VMCOREINFO: ${matched.length} matched; not struct members in BTF: ${skipped.join(', ')}`);
    assert.ok(matched.length >= 40, `${matched.length} VMCOREINFO entries matched`);
    // A typedef of an anonymous struct names it (nodemask_t); a typedef of that typedef does not, as in dwarf2json:
    // atomic_long_t is atomic64_t, the name Volatility 3 expects for ns_common.stashed.
    assert.ok(matched.includes('SIZE(nodemask_t)'));
    assert.deepEqual(btf.struct('ns_common')!.fields.get('stashed')!.type, { kind: 'struct', name: 'atomic64_t' });
    assert.equal(btf.struct('atomic64_t')!.size, Number(truth.vmcoreinfo.fields['SIZE(atomic_long_t)']));
    assert.equal(btf.struct('atomic64_t')!.fields.get('counter')!.offset, Number(truth.vmcoreinfo.fields['OFFSET(atomic_long_t.counter)']));

    for (const f of ['pid', 'tgid', 'comm', 'tasks', 'real_parent', 'mm', '__state']) assert.ok(task.fields.has(f), f);
    assert.deepEqual(task.fields.get('pid')!.type, INT);
    assert.deepEqual(task.fields.get('comm')!.type, { kind: 'array', count: 16, subtype: { kind: 'base', name: 'char' } });
    assert.deepEqual(task.fields.get('tasks')!.type, { kind: 'struct', name: 'list_head' });
    assert.deepEqual(task.fields.get('real_parent')!.type, { kind: 'pointer', subtype: { kind: 'struct', name: 'task_struct' } });
    assert.deepEqual(task.fields.get('mm')!.type, { kind: 'pointer', subtype: { kind: 'struct', name: 'mm_struct' } });
    assert.equal(btf.struct('list_head')!.size, 16);
  });

  it('every type it names is defined: all fields size up and fit, every enum base exists', async (t) => {
    const btf = parseBtf(await kernelBtfBytes(), 'linux-a BTF');
    const started = performance.now();
    let aggregates = 0;
    let fields = 0;
    for (const { kind, name } of btf.typeNames()) {
      if (kind === 'aggregate') {
        aggregates++;
        const s = btf.struct(name)!;
        for (const [field, info] of s.fields) {
          fields++;
          const size = info.type.kind === 'bitfield' ? 0 : btf.sizeOf(info.type);
          assert.ok(info.offset + size <= s.size, `${name}.${field} lies inside ${name}`);
        }
      } else if (kind === 'enum') {
        const e = btf.enumeration(name)!;
        assert.equal(btf.baseType(e.base)?.size, e.size, `enum ${name} base ${e.base}`);
      } else {
        assert.ok(btf.baseType(name), name);
      }
    }
    t.diagnostic(`${aggregates} aggregates with ${fields} fields built and sized in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(aggregates > 9000);
  });
});
