import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { NodeFileSource } from '../../src/io/node-file-source.ts';
import { KernelBtf } from '../../src/symbols/kernel-btf.ts';
import { BtfWriter } from '../helpers/kernel-btf-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

function sample(): { w: BtfWriter; bytes: Uint8Array } {
  const w = new BtfWriter();
  const int = w.int('int', 4, { signed: true }); // 1
  const uint = w.int('unsigned int', 4); // 2
  const char = w.int('char', 1, { char: true, signed: true }); // 3
  const u64 = w.int('long long unsigned int', 8); // 4
  const pidT = w.typedef('pid_t', int); // 5
  const pidT2 = w.typedef('__kernel_pid_t', pidT); // 6
  const constPid = w.const(pidT2); // 7
  const comm = w.array(char, 16); // 8
  const grid = w.array(w.array(uint, 3), 2); // 10 (inner 9)
  w.fwd('list_head'); // 11
  const listHead = w.struct('list_head', 16, [
    ['next', 13, 0],
    ['prev', 13, 64],
  ]); // 12
  w.ptr(listHead); // 13
  const innerStruct = w.struct('', 8, [
    ['deep_a', uint, 0],
    ['deep_b', uint, 32],
  ]); // 14
  const anonUnion = w.struct(
    '',
    8,
    [
      ['alt', u64, 0],
      ['', innerStruct, 0],
    ],
    true,
  ); // 15
  const named = w.struct('', 4, [['x', int, 0]]); // 16
  const state = w.enum('state', 4, [
    ['RUNNING', 0],
    ['DEAD', -1],
  ], true); // 17
  const big = w.enum64('big', [['HUGE', 0x1_0000_0002n]]); // 18
  const fn = w.funcProto(int, [int]); // 19
  const fnPtr = w.ptr(fn); // 20
  const volatileU = w.volatile(uint); // 21
  w.struct('task', 96, [
    ['pid', constPid, 0],
    ['comm', comm, 32],
    ['tasks', listHead, 160],
    ['', anonUnion, 288],
    ['flags_a', uint, 352, 3],
    ['flags_b', uint, 355, 5],
    ['grid', grid, 384],
    ['anon', named, 576],
    ['st', state, 608],
    ['b', big, 640],
    ['cb', fnPtr, 704],
    ['v', volatileU, 0],
  ]); // 22
  return { w, bytes: w.build() };
}

describe('BTF decoder', () => {
  it('resolves typedefs and modifiers to base types, arrays, pointers and function pointers', () => {
    const btf = new KernelBtf(sample().bytes, 'test');
    const task = btf.struct('task')!;
    assert.equal(task.size, 96);
    assert.deepEqual(task.fields.get('pid'), { offset: 0, type: { kind: 'base', name: 'int' } });
    assert.deepEqual(task.fields.get('comm'), { offset: 4, type: { kind: 'array', count: 16, subtype: { kind: 'base', name: 'char' } } });
    assert.deepEqual(task.fields.get('grid')!.type, { kind: 'array', count: 2, subtype: { kind: 'array', count: 3, subtype: { kind: 'base', name: 'unsigned int' } } });
    assert.equal(btf.sizeOf(task.fields.get('grid')!.type), 24);
    assert.deepEqual(task.fields.get('cb')!.type, { kind: 'pointer', subtype: { kind: 'function' } });
    assert.deepEqual(task.fields.get('v')!.type, { kind: 'base', name: 'unsigned int' });
    assert.deepEqual(btf.struct('list_head')!.fields.get('next'), { offset: 0, type: { kind: 'pointer', subtype: { kind: 'struct', name: 'list_head' } } });
    assert.equal(btf.struct('list_head')!.size, 16, 'the complete struct wins over its forward declaration');
    assert.deepEqual(btf.baseType('int'), { size: 4, signed: true, kind: 'int' });
    assert.deepEqual(btf.baseType('char'), { size: 1, signed: true, kind: 'char' });
    assert.equal(btf.typeCount, 22);
  });

  it('flattens anonymous unions and structs into the parent with their offsets; named anonymous types get a name', () => {
    const btf = new KernelBtf(sample().bytes, 'test');
    const fields = btf.struct('task')!.fields;
    assert.equal(fields.get('alt')!.offset, 36);
    assert.equal(fields.get('deep_a')!.offset, 36);
    assert.equal(fields.get('deep_b')!.offset, 40);
    const anon = fields.get('anon')!;
    assert.equal(anon.offset, 72);
    assert.equal(anon.type.kind, 'struct');
    assert.equal(btf.struct((anon.type as { name: string }).name)!.fields.get('x')!.offset, 0);
  });

  it('bitfields: storage-unit offset and bit position', () => {
    const fields = new KernelBtf(sample().bytes, 'test').struct('task')!.fields;
    assert.deepEqual(fields.get('flags_a'), { offset: 44, type: { kind: 'bitfield', bit_position: 0, bit_length: 3, type: { kind: 'base', name: 'unsigned int' } } });
    assert.deepEqual(fields.get('flags_b'), { offset: 44, type: { kind: 'bitfield', bit_position: 3, bit_length: 5, type: { kind: 'base', name: 'unsigned int' } } });
  });

  it('enums, signed and 64-bit', () => {
    const btf = new KernelBtf(sample().bytes, 'test');
    assert.equal(btf.enumeration('state')!.constants.get('DEAD'), -1);
    assert.equal(btf.enumeration('big')!.constants.get('HUGE'), 0x1_0000_0002);
    assert.equal(btf.enumeration('big')!.size, 8);
  });

  it('refuses corrupt data with SYMBOLS_INVALID and survives cycles and bad references', () => {
    const bytes = sample().bytes;
    const invalid = (patch: (dv: DataView, b: Uint8Array) => Uint8Array | void) => {
      const copy = bytes.slice();
      const out = patch(new DataView(copy.buffer), copy) ?? copy;
      assert.throws(() => new KernelBtf(out, 't'), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_INVALID');
    };
    invalid((dv) => dv.setUint16(0, 0x1234, true));
    invalid((dv) => dv.setUint32(4, 8, true));
    invalid((dv) => dv.setUint32(12, 1 << 30, true));
    invalid((_, b) => b.subarray(0, 40));
    const w = new BtfWriter();
    w.raw(31);
    assert.throws(() => new KernelBtf(w.build(), 't'), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_INVALID');

    const cyc = new BtfWriter();
    const a = cyc.typedef('a', 0);
    const b = cyc.typedef('b', a);
    cyc.retarget(a, b);
    cyc.struct('s', 8, [
      ['loop', b, 0],
      ['dangling', 999, 32],
    ]);
    const btf = new KernelBtf(cyc.build(), 't');
    assert.deepEqual(btf.struct('s')!.fields.get('loop')!.type, { kind: 'base', name: 'void' });
    assert.deepEqual(btf.struct('s')!.fields.get('dangling')!.type, { kind: 'base', name: 'void' });
  });
});

describe('BTF of the real kernel', { skip: linuxFixtureSkipReason() }, () => {
  it('agrees with every struct size and member offset the kernel wrote into VMCOREINFO', async () => {
    const truth = linuxTruth();
    const btfAt = (truth['kernel'] as { derived_from_raw: { btf: { start_phys: string; size: number } } }).derived_from_raw.btf;
    const source = await NodeFileSource.open(await linuxFixtureFile('linux-a.raw'));
    const blob = await source.read(Number(btfAt.start_phys), btfAt.size);
    await source.close();
    const btf = new KernelBtf(blob, 'linux-a');
    let checked = 0;
    for (const [key, value] of Object.entries(truth.vmcoreinfo.fields)) {
      const size = /^SIZE\((\w+)\)$/.exec(key);
      const offset = /^OFFSET\((\w+)\.(\w+)\)$/.exec(key);
      if (size && btf.struct(size[1]!)) {
        assert.equal(btf.struct(size[1]!)!.size, Number(value), key);
        checked++;
      } else if (offset && btf.struct(offset[1]!)?.fields.has(offset[2]!)) {
        assert.equal(btf.struct(offset[1]!)!.fields.get(offset[2]!)!.offset, Number(value), key);
        checked++;
      }
    }
    assert.ok(checked >= 40, `${checked} VMCOREINFO entries checked`);
    const task = btf.struct('task_struct')!;
    for (const f of ['pid', 'tgid', 'comm', 'tasks', 'real_parent', 'mm', 'cred']) assert.ok(task.fields.has(f), f);
    assert.deepEqual(task.fields.get('comm')!.type, { kind: 'array', count: 16, subtype: { kind: 'base', name: 'char' } });
    assert.deepEqual(task.fields.get('real_parent')!.type, { kind: 'pointer', subtype: { kind: 'struct', name: 'task_struct' } });
  });
});
